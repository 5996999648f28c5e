"""Make text from outside (a file, an AWS response) safe to show, and bound what is shown.

Every string that came from a file or from AWS passes through :func:`clean` (or
:func:`clean_line` where one line is expected) before a terminal, an XML document or a log line
sees it. Escaped, not dropped, so the evidence stays readable:

- C0 controls (ESC starts colour codes, OSC 8 hyperlinks and title changes), DEL and the C1
  range (U+0080-U+009F: CSI and OSC have one-character forms there) become ``\\x1b``-style escapes;
- bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks U+200E/F,
  U+061C, which can make text read differently from what it is ("Trojan Source",
  https://trojansource.codes/), become ``\\u202e``-style escapes;
- U+2028/U+2029 (line and paragraph separators) likewise, so one line stays one line;
- lone surrogates (U+D800-U+DFFF, from a JSON ``\\ud800``) and the non-characters U+FFFE/U+FFFF,
  which cannot be written as UTF-8 or put in XML, likewise.

Where the output is JSON (``--format json``, SARIF), :func:`json_safe` escapes the same
characters as JSON ``\\uXXXX`` escapes: the data is unchanged, the bytes are inert.

:func:`short_repr` renders any value with a bound on its size, so an error message about a
huge value (a billion-laughs list, a megabyte string) stays one short line.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import reprlib
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from rich.console import Console

D = TypeVar("D", bound="DataclassInstance")

# \t and \n are kept by clean() (multi-line text); clean_line() escapes them too.
_OTHERS = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_OTHERS}]")
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_OTHERS}]")
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_OTHERS}]")  # json.dumps escapes C0 itself


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with every control, C1 and bidi character escaped; newlines and tabs kept."""
    return _UNSAFE.sub(_escape, text)


def clean_line(text: str) -> str:
    """``text`` as one safe line: :func:`clean`, and newlines, tabs and CR escaped too."""
    return _UNSAFE_LINE.sub(_escape, text)


def clean_fields(obj: D, multiline: Collection[str] = ()) -> D:
    """A frozen dataclass with every ``str`` field made safe (:func:`clean_line`, or
    :func:`clean` for the fields named in ``multiline``), and the same inside tuple fields,
    dataclasses in them included (a Report's findings). The same object when nothing needed
    cleaning. For text renderers: ``clean_fields(report, {"remediation"})``.
    """
    changes: dict[str, Any] = {}
    for spec in dataclasses.fields(obj):
        value = getattr(obj, spec.name)
        cleaned = _clean_value(value, spec.name in multiline, multiline)
        if cleaned is not value:
            changes[spec.name] = cleaned
    return dataclasses.replace(obj, **changes) if changes else obj


def _clean_value(value: Any, keep_lines: bool, multiline: Collection[str]) -> Any:
    if isinstance(value, str):
        if keep_lines:
            return value if is_clean(value) else clean(value)
        return value if is_clean_line(value) else clean_line(value)
    if isinstance(value, tuple):
        items = tuple(_clean_value(v, keep_lines, multiline) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return clean_fields(value, multiline)
    return value


def is_clean_line(text: str) -> bool:
    return _UNSAFE_LINE.search(text) is None


def is_clean(text: str) -> bool:
    return _UNSAFE.search(text) is None


def json_safe(document: str) -> str:
    """A JSON text (from ``json.dumps``) with C1, bidi and surrogate characters as ``\\uXXXX``
    escapes: the same data, and nothing a terminal would act on when the JSON is shown."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


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


def safe_console(**options: Any) -> Console:
    """A rich Console that never parses markup or emoji codes in strings and escapes their
    control characters (:func:`clean`) before rendering them: every ``str`` printed or put in
    a table cell goes through ``render_str``. ``Text`` objects are taken as built (styles are
    the renderer's own). rich itself passes ESC, OSC 8, C1 and bidi characters through."""
    return _safe_console_class()(**options)


@functools.cache
def _safe_console_class() -> type[Console]:
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Any:
            kwargs.update(markup=False, emoji=False)
            return super().render_str(clean(text), **kwargs)

    return SafeConsole
