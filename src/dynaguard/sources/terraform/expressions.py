"""Read HCL source text around a block: an attribute's whole expression, its references.

tfparse gives evaluated values but not the expressions behind a null; to tell "null: the
default applies" from "unknown offline" (``null_values.py``) the adapter reads the expression
itself. This is a small lexer, not a parser: it masks string literals, heredocs and comments
(keeping ``${...}`` interpolations, which hold references), tracks bracket depth, and finds
``name = <expression>`` at the top level of one block, across lines until the brackets close.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\n")
_TRAVERSAL = re.compile(
    r"(?<![\w.\-\]\)])([A-Za-z_][\w-]*)((?:\.[A-Za-z_*][\w-]*|\.\d+|\[[^\[\]]*\])+)"
)
_ATTRIBUTE_START = re.compile(r"\s*\"?([A-Za-z_][\w-]*)\"?\s*=(?!=)")
_OPEN, _CLOSE = "([{", ")]}"


def mask(text: str) -> str:
    """``text`` with string contents, heredoc bodies and comments blanked (newlines kept);
    interpolations ``${...}`` are kept, so brackets stay balanced and references visible."""
    out = list(text)
    stack: list[str] = ["code"]
    interp_depth: list[int] = []
    i, size = 0, len(text)
    while i < size:
        state, char = stack[-1], text[i]
        if state in ("code", "interp"):
            i = _in_code(text, i, out, stack, interp_depth)
            continue
        if state == "str":
            if char == "\\":
                _blank(out, i, i + 2)
                i += 2
                continue
            if text.startswith("${", i):
                stack.append("interp")
                interp_depth.append(0)
                i += 2
                continue
            if char == '"':
                stack.pop()
            elif char != "\n":
                out[i] = " "
            i += 1
            continue
        i = _in_heredoc(text, i, out, stack, interp_depth)
    return "".join(out)


def _blank(out: list[str], start: int, end: int) -> None:
    for j in range(start, min(end, len(out))):
        if out[j] != "\n":
            out[j] = " "


def _in_code(text: str, i: int, out: list[str], stack: list[str], depth: list[int]) -> int:
    char = text[i]
    if char == '"':
        stack.append("str")
        return i + 1
    if char == "#" or text.startswith("//", i):
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
        _blank(out, i, end)
        return end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        end = len(text) if end < 0 else end + 2
        _blank(out, i, end)
        return end
    heredoc = _HEREDOC.match(text, i) if char == "<" else None
    if heredoc is not None:
        stack.append("heredoc:" + heredoc.group(1))
        return heredoc.end()
    if stack[-1] == "interp":
        if char == "{":
            depth[-1] += 1
        elif char == "}":
            if depth[-1] == 0:
                stack.pop()
                depth.pop()
            else:
                depth[-1] -= 1
    return i + 1


def _in_heredoc(text: str, i: int, out: list[str], stack: list[str], depth: list[int]) -> int:
    marker = stack[-1].split(":", 1)[1]
    line_end = text.find("\n", i)
    line_end = len(text) if line_end < 0 else line_end
    line = text[i:line_end]
    at_line_start = i == 0 or text[i - 1] == "\n"
    if at_line_start and line.strip() == marker:
        stack.pop()
        return line_end
    if text.startswith("${", i):
        stack.append("interp")
        depth.append(0)
        return i + 2
    if text[i] != "\n":
        out[i] = " "
    return i + 1


@dataclass(frozen=True, slots=True)
class Expression:
    """One attribute's expression: its source text and the line it starts on (1-based)."""

    text: str
    masked: str
    line: int

    @property
    def is_null_literal(self) -> bool:
        return self.text.strip() == "null"

    def references(self) -> list[str]:
        """Traversals in the expression (``var.x``, ``each.value.k``, ``aws_kms_key.k.arn``);
        string literals are skipped, interpolations are not."""
        return [m.group(1) + m.group(2) for m in _TRAVERSAL.finditer(self.masked)]


def block_attribute(lines: Sequence[str], first: int, last: int, name: str) -> Expression | None:
    """The expression of attribute ``name`` at the top level of the block spanning lines
    ``first``..``last`` (1-based; ``first`` holds the opening brace), or None."""
    raw = "\n".join(lines[first - 1 : last])
    masked = mask(raw)
    depth, offset = 0, 0
    for line_masked in masked.split("\n"):
        at_top = depth == 1
        if at_top:
            found = _ATTRIBUTE_START.match(line_masked)
            if found and found.group(1) == name:
                start = offset + found.end()
                end = _expression_end(masked, start)
                line = first + raw.count("\n", 0, offset)
                return Expression(raw[start:end].strip(), masked[start:end].strip(), line)
        depth += sum(line_masked.count(c) for c in _OPEN)
        depth -= sum(line_masked.count(c) for c in _CLOSE)
        offset += len(line_masked) + 1
    return None


def _expression_end(masked: str, start: int) -> int:
    """Where the expression starting at ``start`` ends: a newline with brackets balanced."""
    depth = 0
    for i in range(start, len(masked)):
        char = masked[i]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                return i
        elif char == "\n" and depth == 0:
            return i
    return len(masked)


def child_blocks(lines: Sequence[str], first: int, last: int) -> list[tuple[str, int, int]]:
    """Blocks directly inside the block spanning ``first``..``last``: (opening line as
    written, first line, last line), in source order."""
    raw_lines = lines[first - 1 : last]
    masked_lines = mask("\n".join(raw_lines)).split("\n")
    found, depth, start = [], 0, -1
    for index, line_masked in enumerate(masked_lines):
        opens = sum(line_masked.count(c) for c in _OPEN)
        closes = sum(line_masked.count(c) for c in _CLOSE)
        if depth == 1 and start < 0 and line_masked.rstrip().endswith("{") and opens > closes:
            start = index
        depth += opens - closes
        if start >= 0 and depth <= 1:
            found.append((raw_lines[start], first + start, first + index))
            start = -1
    return found
