"""The comments of an infrastructure file, told apart from strings: where inline suppressions
may live.

A ``dynaguard:ignore`` marker counts only in a real comment. The same text inside a string (an
HCL tag value, a heredoc, a quoted or block YAML scalar) is data a reviewer reads as data, and
must not hide a FAIL. So each language is tokenized just enough to know its strings:

- HCL (``.tf``): ``#`` and ``//`` line comments and ``/* */`` block comments, outside quoted
  strings (with their ``${ }`` / ``%{ }`` templates, which may hold strings of their own) and
  heredocs (``<<EOF`` / ``<<-EOF`` up to the closing marker).
  https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#comments-and-whitespace
- YAML (CloudFormation): ``#`` at the start of a line or after whitespace, outside every token
  PyYAML's scanner reads (quoted, plain and block scalars); the scanner is the same one
  cfn-lint decodes templates with. JSON has no comments: what looks like one is in a string,
  and the scanner says so.
  https://yaml.org/spec/1.2.2/#66-comments
- Terraform JSON (``.tf.json``) has no comments either: :data:`NO_COMMENTS`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import yaml


@dataclass(frozen=True, slots=True)
class Comments:
    """The comments of one file: their text by 1-based line (delimiters removed), and the
    lines that hold nothing but comments (a run of them above a resource belongs to it)."""

    texts: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    whole_lines: frozenset[int] = frozenset()


NO_COMMENTS = Comments()

# HCL, outside strings: what starts a string, a comment or a heredoc, and braces (which close
# a template interpolation when inside one).
_HCL_CODE = re.compile(r'"|#|//|/\*|<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n|\{|\}')
# HCL, inside a quoted string: an escape, an escaped template opener, a template, the end.
_HCL_STRING = re.compile(r'\\.|\$\$\{|%%\{|\$\{|%\{|"|\n')
_YAML_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)


def hcl_comments(source: str) -> Comments:
    """The comments of HCL ``source``."""
    return _collect(source, list(_hcl_spans(source)))


def _hcl_spans(source: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every comment, delimiters included. The stack holds, per template
    interpolation we are inside, its count of open braces; a string pushes None."""
    stack: list[int | None] = []
    pos = 0
    while pos < len(source):
        if stack and stack[-1] is None:  # inside a quoted string
            m = _HCL_STRING.search(source, pos)
            if m is None:
                return
            token, pos = m.group(0), m.end()
            if token in ("${", "%{"):
                stack.append(0)
            elif token in ('"', "\n"):  # the end (a newline: an unterminated string)
                stack.pop()
            continue
        m = _HCL_CODE.search(source, pos)
        if m is None:
            return
        token, pos = m.group(0), m.end()
        if token == '"':
            stack.append(None)
        elif token in ("#", "//"):
            pos = _line_end(source, pos)
            yield m.start(), pos
        elif token == "/*":
            close = source.find("*/", pos)
            pos = len(source) if close < 0 else close + 2
            yield m.start(), pos
        elif token.startswith("<<"):
            pos = _heredoc_end(source, pos, m.group(1))
        elif stack:  # a brace inside a template interpolation
            depth = stack.pop()
            assert depth is not None
            if token == "{":
                stack.append(depth + 1)
            elif depth > 0:
                stack.append(depth - 1)


def _line_end(source: str, pos: int) -> int:
    end = source.find("\n", pos)
    return len(source) if end < 0 else end


def _heredoc_end(source: str, pos: int, marker: str) -> int:
    """Just after the heredoc's closing marker line (the end of the file when there is none)."""
    close = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE).search(source, pos)
    return len(source) if close is None else close.end()


def yaml_comments(source: str) -> Comments:
    """The comments of YAML (or JSON) ``source``; none when the scanner rejects it (the
    template then fails to load anyway)."""
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        tokens = [
            (t.start_mark.index, t.end_mark.index)
            for t in yaml.scan(source, Loader=loader)
            if t.end_mark.index > t.start_mark.index
        ]
    except yaml.YAMLError:
        return NO_COMMENTS
    starts = [start for start, _ in tokens]
    spans: list[tuple[int, int]] = []
    for m in _YAML_HASH.finditer(source):
        at = m.start()
        if spans and at < spans[-1][1]:
            continue  # a '#' inside a comment already found
        i = bisect_right(starts, at) - 1
        if i >= 0 and at < tokens[i][1]:
            continue  # inside a scalar
        spans.append((at, _line_end(source, at)))
    return _collect(source, spans)


def _collect(source: str, spans: list[tuple[int, int]]) -> Comments:
    """Comments from their spans: text per line, and the lines they fill."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", source)]
    texts: dict[int, list[str]] = {}
    covered: dict[int, list[tuple[int, int]]] = {}
    for start, end in spans:
        pos = start
        while pos < end:
            line = bisect_right(starts, pos)
            stop = min(end, _line_end(source, pos))
            texts.setdefault(line, []).append(_body(source[pos:stop]))
            covered.setdefault(line, []).append((pos, stop))
            pos = stop + 1
    whole = frozenset(line for line, parts in covered.items() if _only(source, starts, line, parts))
    return Comments({k: tuple(v) for k, v in texts.items()}, whole)


def _only(source: str, starts: list[int], line: int, parts: list[tuple[int, int]]) -> bool:
    """Does the line hold nothing but these comment parts (and blanks)?"""
    pos, rest = starts[line - 1], []
    for start, stop in parts:
        rest.append(source[pos:start])
        pos = stop
    rest.append(source[pos : _line_end(source, pos)])
    return not "".join(rest).strip()


def _body(piece: str) -> str:
    """A comment's text on one line without its delimiters (``#``, ``//``, ``/*``, ``*/``, a
    leading ``*`` of a block comment's continuation line)."""
    text = piece.strip()
    text = text.removesuffix("*/")
    for opener in ("#", "//", "/*", "*"):
        if text.startswith(opener):
            return text[len(opener) :].strip()
    return text.strip()
