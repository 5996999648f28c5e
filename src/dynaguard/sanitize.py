"""Make text from outside (a file, an AWS response) safe to show, and bound what is shown.

Every string that came from a file or from AWS passes through :func:`clean` (or
:func:`clean_line` where one line is expected) before a terminal, an XML document or a log line
sees it. Escaped, not dropped, so the evidence stays readable:

- C0 controls (ESC starts colour codes, OSC 8 hyperlinks and title changes), DEL and the C1
  range (U+0080-U+009F: CSI and OSC have one-character forms there) become ``\\x1b``-style escapes;
- bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks U+200E/F,
  U+061C, which can make text read differently from what it is ("Trojan Source",
  https://trojansource.codes/), become ``\\u202e``-style escapes;
- U+2028/U+2029 (line and paragraph separators) likewise, so one line stays one line.

:func:`short_repr` renders any value with a bound on its size, so an error message about a
huge value (a billion-laughs list, a megabyte string) stays one short line.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

# \t and \n are kept by clean() (multi-line text); clean_line() escapes them too.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with every control, C1 and bidi character escaped; newlines and tabs kept."""
    return _UNSAFE.sub(_escape, text)


def clean_line(text: str) -> str:
    """``text`` as one safe line: :func:`clean`, and newlines, tabs and CR escaped too."""
    return _UNSAFE_LINE.sub(_escape, text)


def is_clean(text: str) -> bool:
    return _UNSAFE.search(text) is None


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = _REPR.maxset = 6
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlong = 40


def short_repr(value: Any, limit: int = 80, quote: bool = True) -> str:
    """A one-line, printable rendering of ``value`` of at most about ``limit`` characters.

    Strings are quoted (``quote=False``: shown bare), long ones cut in the middle with their
    length; containers show their first items; nothing grows with the size of ``value``.
    """
    if isinstance(value, str):
        text = value if len(value) <= limit else _cut(value, limit)
        text = clean_line(text)
        return repr(text).replace("\\\\", "\\") if quote else text
    try:
        text = _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not take the error message down with it
        text = f"<{type(value).__name__}>"
    text = clean_line(text)
    return text if len(text) <= limit + 10 else _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    keep = max(limit - 20, 8)
    return f"{text[: keep // 2]}...({len(text)} chars)...{text[-(keep // 2) :]}"
