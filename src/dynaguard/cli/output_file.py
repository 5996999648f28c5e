"""``--output FILE``: checked before a command does any work, and never the reason a result is
lost.

``check_output_path`` runs before a command plans, scans or changes anything (``cli.main``), so
a mistyped path is a usage error (exit 2) while nothing has happened yet. A write can still
fail later (disk full, the directory removed meanwhile): ``write_or_show`` then puts the text
on stdout and says so, because the result of a run that changed AWS must reach the user.
Only the standard library here: this module is imported for every command (start-up time).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dynaguard.errors import UsageError


def check_output_path(output: str) -> None:
    """A usage error when ``output`` (a local file; ``s3://`` targets are checked by their
    upload) cannot be written: its directory is missing or not writable, or it is a directory."""
    if output.startswith("s3://"):
        return
    path = Path(output)
    parent = path.parent
    if path.is_dir():
        raise UsageError(f"cannot write {output}: it is a directory")
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: no such directory {parent}")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {output}: permission denied")


def write_or_show(text: str, output: str, prog: str) -> bool:
    """Write ``text`` to ``output``; when that fails, write it to stdout with one line on
    stderr saying why (``prog``: ``dynaguard harden``). True when the file was written."""
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"{prog}: error: cannot write {output}: {reason}; the result follows on stdout",
            file=sys.stderr,
        )
        sys.stdout.write(text)
        sys.stdout.flush()
        return False
    return True
