"""Tasks for the worker-pool tests: module-level, so a worker process can import them."""

from __future__ import annotations

import os
import time


def double(x: int) -> int:
    return x * 2


def pid() -> int:
    return os.getpid()


def abort() -> None:
    os.abort()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def hog_memory() -> None:
    blocks = []
    while True:
        blocks.append(bytearray(16 * 1024 * 1024))


def fail() -> None:
    raise KeyError("a bug of ours")


def unpicklable() -> object:
    return lambda: None


def write_pid_then_sleep(path: str) -> None:
    with open(path, "a", encoding="ascii") as out:
        out.write(f"{os.getpid()}\n")
    time.sleep(300)
