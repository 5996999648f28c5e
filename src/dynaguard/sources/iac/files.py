"""Reading untrusted files safely: regular files only, a size cap, UTF-8 with a clear error.

Code in a pull request can name anything ``x.tf``: a FIFO (opening it blocks forever), a link
to ``/dev/zero`` (reading it never ends), a file of many gigabytes, a link loop. A path is
opened non-blocking, checked with ``fstat`` on the open descriptor (no race between the check
and the read) and read up to the limit plus one byte, so none of these can hang the run or
grow its memory. ``IacLimits`` holds the limits of one ``dynaguard iac`` run.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True, slots=True)
class IacLimits:
    """Limits of one run: per input file, and per unit parsed in a worker process."""

    max_file_mb: float = 32.0  # a larger file is reported and not read
    timeout_s: float = 60.0  # wall clock for one unit (a root module, a plan, a template)
    memory_mb: int = 1024  # data memory of one worker process
    jobs: int = 0  # worker processes; 0: one per available core

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)


class UnsafeFile(Exception):
    """A path that is not read: not a regular file, too large, or unreadable."""

    def __init__(self, reason: str, *, problem: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem = problem  # False: a skip worth a notice (a FIFO), not an incomplete audit


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size} bytes"


def check_file(path: Path, max_bytes: int) -> None:
    """Raise ``UnsafeFile`` when ``path`` (links followed) cannot be read safely: stat only."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    _check_stat(info, max_bytes)
    if not os.access(path, os.R_OK):
        raise UnsafeFile("cannot be read: permission denied")


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``UnsafeFile`` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        _check_stat(os.fstat(fd), max_bytes)
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, MB))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # it grew after fstat, or /proc-like
        raise UnsafeFile(_too_large(len(data), max_bytes))
    return data


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file (a BOM is dropped); ``UnicodeError`` with the line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        for bom, name in _BOMS:
            if data.startswith(bom):
                raise EncodingProblem(f"the file is {name} encoded; it must be UTF-8", 1) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise EncodingProblem(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); the file must be UTF-8", line
        ) from None


def lenient_text(data: bytes) -> str:
    """Text good enough to tell what a file is, whatever its encoding."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name.lower().replace("-", ""), errors="replace")
    return data.decode("utf-8", errors="replace")


class EncodingProblem(UnicodeError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _check_stat(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{kind_of(info.st_mode)}, not a file: skipped", problem=False)
    if info.st_size > max_bytes:
        raise UnsafeFile(_too_large(info.st_size, max_bytes))


def _too_large(size: int, max_bytes: int) -> str:
    return f"{size_text(size)}, above the {size_text(max_bytes)} limit (--max-file-size): not read"


def _unreadable(path: Path, exc: OSError) -> UnsafeFile:
    import errno

    if exc.errno == errno.ELOOP:
        return UnsafeFile("a symbolic link loop: not followed", problem=False)
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return UnsafeFile("a broken symbolic link: skipped", problem=False)
    return UnsafeFile(f"cannot be read: {exc.strerror or exc}")
