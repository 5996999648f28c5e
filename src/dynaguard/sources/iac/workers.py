"""Run parsers of untrusted code in worker processes, each task under a time and memory limit.

tfparse is Go behind cffi, in the calling process: a panic (a ``dynamic`` block whose
``for_each`` is a number) aborts it, a module that sources itself recurses until memory runs
out, ten thousand ``count`` instances take minutes. So every unit (a Terraform root module, a
plan, a template) is parsed in a worker process, one task at a time per worker, one worker per
core. The parent always knows which task each worker runs: a worker that dies or overruns costs
exactly that task (it becomes a ``Failed`` saying what happened) and a fresh worker takes the
next one. ``concurrent.futures.ProcessPoolExecutor`` cannot do this: one dead worker breaks the
whole pool without saying which task killed it, and a running task cannot be stopped.

- Start: ``fork`` when it is safe (the parent has one thread and has not loaded tfparse: a
  forked Go runtime deadlocks), else ``forkserver``. Forked workers share the parent's imports;
  each loads tfparse itself on first use.
- Memory: ``RLIMIT_DATA`` (heap and private writable mappings, counted since Linux 4.7) set to
  what the worker holds at start plus the limit; not ``RLIMIT_AS``, which would count the ~700 MB
  of address space the Go runtime reserves at start without using it.
- No orphans: a worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux), ignores Ctrl-C (the
  parent stops it), and has a CPU-time limit per task as a backstop elsewhere.
- Results cross the process boundary pickled: tasks return model objects, never parser output.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from dynaguard.logs import get_logger
from dynaguard.sources.iac.files import MB, IacLimits

_PR_SET_PDEATHSIG = 1
_STARTUP_GRACE_S = 60.0
_GO_OOM = ("out of memory", "cannot allocate memory", "pthread_create failed")


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: ``function(*args)`` in a worker; ``what`` names it in a failure."""

    what: str
    function: Callable[..., Any]  # a module-level function (pickled by reference)
    args: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """A task that did not complete: ``reason`` says what happened, in a few words."""

    what: str
    reason: str


def worker_count(jobs: int) -> int:
    """``jobs``, or one per core available to this process when 0."""
    if jobs > 0:
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """fork when safe and cheap, else forkserver (spawn where neither exists)."""
    methods = multiprocessing.get_all_start_methods()
    go_loaded = "tfparse" in sys.modules
    if "fork" in methods and not go_loaded and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def run_tasks(tasks: Sequence[Task], limits: IacLimits, preload: Sequence[str] = ()) -> list[Any]:
    """The result of every task, in order; a ``Failed`` for a task that did not complete.
    ``preload``: pure-Python modules the tasks need, imported once before workers start so
    that they share them (never tfparse)."""
    results: list[Any] = [None] * len(tasks)
    if not tasks:
        return results
    method = start_method()
    ctx = multiprocessing.get_context(method)
    if method == "fork":
        for name in preload:
            importlib.import_module(name)
    elif method == "forkserver":
        ctx.set_forkserver_preload(list(preload))  # only until the server has started
    jobs = min(worker_count(limits.jobs), len(tasks))
    get_logger("iac").debug("parsing %d units in %d workers (%s)", len(tasks), jobs, method)
    pending = deque(range(len(tasks)))
    workers: list[_Worker] = []
    with tempfile.TemporaryDirectory(prefix="dynaguard-workers-") as scratch:
        try:
            while True:
                _assign(workers, pending, tasks, limits, ctx, Path(scratch), method, jobs)
                if not workers:
                    break
                _collect(workers, results, tasks, limits)
        finally:
            for worker in workers:
                worker.stop()
    return results


def _assign(
    workers: list[_Worker],
    pending: deque[int],
    tasks: Sequence[Task],
    limits: IacLimits,
    ctx: Any,
    scratch: Path,
    method: str,
    jobs: int,
) -> None:
    for worker in workers:
        if worker.task is None and pending:
            worker.start(pending.popleft(), tasks, limits)
    while pending and len(workers) < jobs:
        siblings = [w.conn.fileno() for w in workers] if method == "fork" else []
        worker = _Worker(ctx, scratch, limits.memory_mb, siblings)
        workers.append(worker)
        worker.start(pending.popleft(), tasks, limits)
    for worker in [w for w in workers if w.task is None]:
        worker.stop()  # nothing left for it
        workers.remove(worker)


def _collect(
    workers: list[_Worker], results: list[Any], tasks: Sequence[Task], limits: IacLimits
) -> None:
    now = time.monotonic()
    timeout = max(0.0, min(w.deadline for w in workers) - now)
    wait([w.conn for w in workers] + [w.process.sentinel for w in workers], timeout)
    for worker in list(workers):
        index = worker.task
        assert index is not None
        outcome = worker.outcome(limits)
        if outcome is _RUNNING:
            continue
        failed = isinstance(outcome, _Failure)
        results[index] = Failed(tasks[index].what, outcome.reason) if failed else outcome
        worker.task = None
        if failed or not worker.process.is_alive():  # a fresh worker for what follows
            worker.stop()
            workers.remove(worker)


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str


_RUNNING = object()


class _Worker:
    """One worker process and the task it runs (the parent's view)."""

    def __init__(self, ctx: Any, scratch: Path, memory_mb: int, siblings: list[int]) -> None:
        self.conn, child = ctx.Pipe()
        self.stderr = scratch / f"worker-{id(self)}.stderr"
        self.process = ctx.Process(
            target=_serve,
            args=(child, str(self.stderr), memory_mb, siblings),
            name="dynaguard-parser",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def start(self, index: int, tasks: Sequence[Task], limits: IacLimits) -> None:
        task = tasks[index]
        self.task = index
        # the time limit runs from when the worker takes the task (it says so): a fresh
        # worker may need a while to start on a loaded machine
        self.deadline = time.monotonic() + limits.timeout_s + _STARTUP_GRACE_S
        cpu_budget = int(limits.timeout_s * 4 + 10)
        with contextlib.suppress(OSError, ValueError):  # dead already: outcome() says how
            self.conn.send((task.function, task.args, cpu_budget))

    def outcome(self, limits: IacLimits) -> Any:
        """The task's result, a ``_Failure``, or ``_RUNNING``."""
        try:
            while self.conn.poll():
                status, payload = self.conn.recv()
                if status == "started":
                    self.deadline = time.monotonic() + limits.timeout_s
                    continue
                if status == "ok":
                    return payload
                if status == "memory":
                    return _Failure(_over_memory(limits))
                return _Failure(str(payload))
        except (EOFError, OSError):
            pass  # it died while sending, or before
        if not self.process.is_alive():
            self.process.join()
            return _Failure(_death(self.process.exitcode, self._stderr(), limits))
        if time.monotonic() >= self.deadline:
            self.kill()
            return _Failure(f"did not finish within {limits.timeout_s:g} s (--parse-timeout)")
        return _RUNNING

    def _stderr(self) -> str:
        try:
            with open(self.stderr, "rb") as handle:
                return handle.read(64 * 1024).decode("utf-8", errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()

    def stop(self) -> None:
        """End the worker: politely when idle, by force when busy."""
        if self.task is None and self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(timeout=1)
        self.kill()
        self.conn.close()


def _death(exitcode: int | None, stderr: str, limits: IacLimits) -> str:
    """What killed a worker, from its exit status and what it printed."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith(("panic:", "fatal error:"))), "")
    if any(marker in stderr for marker in _GO_OOM) or "MemoryError" in stderr:
        return _over_memory(limits)
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        if -exitcode == getattr(signal, "SIGXCPU", -1):
            return "used too much CPU time"
        detail = f"; {_printable(first)}" if first else ""
        return f"the parser crashed (signal {name or -exitcode}{detail})"
    if first:
        return f"the parser crashed ({_printable(first)})"
    last = _printable(lines[-1]) if lines else ""
    return f"the parser crashed (exit code {exitcode}{'; ' + last if last else ''})"


def _over_memory(limits: IacLimits) -> str:
    return f"went over the memory limit of {limits.memory_mb} MB (--parse-memory)"


def _printable(text: str, limit: int = 160) -> str:
    clean = "".join(c if c.isprintable() else " " for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


# --- the worker process ------------------------------------------------------------------


def _serve(conn: Connection, stderr: str, memory_mb: int, siblings: list[int]) -> None:
    """Worker main loop: run tasks until told to stop or the parent goes away."""
    parent = os.getppid()
    for fd in siblings:  # forked: the other workers' pipes, so EOF means the parent is gone
        with contextlib.suppress(OSError):
            os.close(fd)
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_mb)
    handle = open(stderr, "w+b")  # noqa: SIM115 - lives as long as the process
    os.dup2(handle.fileno(), 2)
    faulthandler.disable()  # a host's (pytest's) handler writes elsewhere; the parent reports
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args, cpu_budget = message
        conn.send(("started", None))
        _limit_cpu(cpu_budget)
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)
        _reply(conn, function, args)


def _reply(conn: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        reply: tuple[str, Any] = ("ok", function(*args))
    except MemoryError:
        reply = ("memory", "")
    except RecursionError:
        reply = ("error", "the input is nested too deeply to be read")
    except Exception as exc:  # a bug of ours on odd input: one line, the run goes on
        reply = ("error", f"could not be read ({type(exc).__name__}: {_printable(str(exc))})")
    try:
        conn.send(reply)
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as exc:
        conn.send(("error", f"the result could not be returned ({type(exc).__name__})"))


def _die_with_parent(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: only the time limit holds
        return
    if not hasattr(resource, "RLIMIT_DATA"):
        return
    limit = _data_in_use() + memory_mb * MB
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass  # a lower hard limit is already in place


def _data_in_use() -> int:
    """The data memory this process holds now (inherited from the parent when forked)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _limit_cpu(budget_s: int) -> None:
    """Soft CPU limit: what was used so far plus the budget of this task."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + budget_s
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
