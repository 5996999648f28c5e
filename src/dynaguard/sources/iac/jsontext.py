"""Lines in JSON text, found without a second full parse: where nesting gets too deep, and
where the value at a path (``planned_values.root_module.resources.3.values``) starts.

Python's ``json`` gives no positions, and a decoder that keeps them is many times slower; these
scans run only on the error path, to name the line of a problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]|[^\s\[\]{}:,"]+')
_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def deep_line(text: str, limit: int) -> int | None:
    """The line where brackets first nest deeper than ``limit`` (strings skipped), if they do."""
    depth = 0
    for match in _BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return line_at(text, match.start())
        elif token in "]}":
            depth -= 1
    return None


class _Frame:
    __slots__ = ("key", "object", "want_key")

    def __init__(self, is_object: bool) -> None:
        self.object = is_object
        self.key: str | int | None = None if is_object else 0
        self.want_key = is_object


def line_of_path(text: str, path: Sequence[str | int]) -> int | None:
    """The line where the value at ``path`` starts (or the deepest part of it that exists)."""
    target = [str(p) for p in path]
    stack: list[_Frame] = []
    best: int | None = None
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        top = stack[-1] if stack else None
        if token == ",":
            if top is not None and top.object:
                top.want_key = True
            elif top is not None and isinstance(top.key, int):
                top.key += 1
            continue
        if token == ":" or token in "]}":
            if token in "]}" and stack:
                stack.pop()
            continue
        if top is not None and top.object and top.want_key:
            top.key, top.want_key = _key(token), False
            continue
        here = [str(f.key) for f in stack]
        if here == target[: len(here)]:
            best = line_at(text, start)
            if len(here) == len(target):
                return best
        if token in "[{":
            stack.append(_Frame(token == "{"))
    return best


def _key(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token
    return str(value)
