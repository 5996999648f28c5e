"""One YAML (and JSON) reader for the files a user hands dynaguard: the configuration and the
provision schemas. It keeps the line of every value and refuses hostile input with one line.

``read_document`` returns a :class:`Document`: plain data (dicts, lists, scalars) and, for
every value, the line where it is written, keyed by its path (``("baseline",
"pitr_min_days")``, ``("global_indexes", 1, "name")``). Validation then names file, line and key
for any value without the data having to carry bookkeeping.

Bounded on purpose (every limit is an :class:`InputError` with the file and line): devices and
sockets (``/dev/zero``), files over
:data:`MAX_BYTES`, bytes that are not UTF-8, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_VALUES` values once aliases are expanded (a "billion laughs" file is refused after a
few thousand steps, not after gigabytes), numbers with more digits than Python converts, dates
that do not exist, duplicate keys (YAML would keep the last one and silently drop the first),
non-scalar keys and tags other than YAML's core types.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dynaguard.errors import DynaguardError
from dynaguard.sanitize import short_repr

MAX_BYTES = 2 * 1024 * 1024  # a config or a table schema is a few KB; 2 MiB is generous
MAX_DEPTH = 64
MAX_VALUES = 100_000

DocPath = tuple[Any, ...]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class InputError(DynaguardError):
    """A file that cannot be read as a YAML/JSON document: one line with file and line."""

    exit_code = 2

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: its data and the line of every value, by path."""

    data: Any
    source: str
    lines: Mapping[DocPath, int] = field(default_factory=dict)

    def line_of(self, path: DocPath) -> int | None:
        """The line of the value at ``path``, else of its nearest ancestor that has one (not
        the document's first line: a top-level key that is absent has no line)."""
        key = tuple(path)
        while key:
            line = self.lines.get(key)
            if line is not None:
                return line
            key = key[:-1]
        return self.lines.get(()) if not path else None  # "line 1" would point nowhere


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document: where (a path and its line) and what."""

    path: DocPath
    message: str
    line: int | None = None

    @property
    def field(self) -> str:
        return display_path(self.path)

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.field}: {self.message}"


def display_path(path: DocPath) -> str:
    """``("global_indexes", 1, "name")`` -> ``global_indexes[1].name``, bounded and printable."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = part if isinstance(part, str) else short_repr(part)
            out += f".{short_repr(text, 60, quote=False)}" if out else short_repr(text, 60, False)
    return out or "(document)"


def read_document(path: str | Path, what: str = "file") -> Document:
    """Read and parse ``path``; every failure (missing, too big, not UTF-8, not YAML, over a
    limit) is an :class:`InputError` naming the file and, where known, the line."""
    source = str(path)
    try:
        kind = os.stat(path).st_mode
        if stat.S_ISCHR(kind) or stat.S_ISBLK(kind) or stat.S_ISSOCK(kind):
            # /dev/zero, /dev/random, a socket: never a document (a pipe is, e.g. <(...))
            raise InputError(source, f"cannot read {what}: not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(source, f"cannot read {what}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(source, f"{what} is larger than {MAX_BYTES // 1024} KiB")
    return parse_bytes(raw, source)


def parse_bytes(raw: bytes, source: str) -> Document:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputError(source, f"not UTF-8 text (byte 0x{bad})", line) from None
    return parse_text(text, source)


def parse_text(text: str, source: str) -> Document:
    """Parse one YAML/JSON document from ``text`` (an empty text is ``None``)."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters right away
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        line = _yaml_line(exc, text)
        raise InputError(source, f"invalid YAML: {_yaml_problem(exc)}", line) from None
    except RecursionError:
        raise InputError(source, f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return Document(None, source, {(): 1})
    builder = _Builder(loader, source)
    data = builder.build(node, (), 0)
    return Document(data, source, builder.lines)


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer stops at :data:`MAX_DEPTH` levels of nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TooDeep(yaml.YAMLError):
    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.problem_mark = mark
        self.problem = f"nested deeper than {MAX_DEPTH} levels"


class _Builder:
    """Turns the composed node graph into plain data, recording lines and counting every value
    visited, so aliases (which may point at each other, or at themselves) stay bounded."""

    def __init__(self, loader: _BoundedLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[DocPath, int] = {}
        self.count = 0

    def fail(self, node: Any, message: str) -> InputError:
        return InputError(self.source, message, node.start_mark.line + 1)

    def build(self, node: Any, path: DocPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.fail(
                node, f"more than {MAX_VALUES} values (YAML aliases expanding without bound?)"
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels (a recursive alias?)")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                raise self.fail(node, f"unsupported YAML tag {short_repr(node.tag)}")
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.fail(node, f"unsupported YAML tag {short_repr(node.tag)}")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: DocPath, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in self._pairs(node, depth):
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a mapping key must be a plain value, not a collection")
            key = self._scalar(key_node, path)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise self.fail(
                    key_node, f"duplicate key {short_repr(key)} (first at line {seen[key]})"
                )
            seen[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key), depth + 1)
            self.lines[(*path, key)] = line  # the key's line, not the value's
        return out

    def _pairs(self, node: yaml.MappingNode, depth: int) -> Iterator[tuple[Any, Any]]:
        """The pairs of a mapping, merge keys (``<<: *base``) expanded, explicit keys winning."""
        merged: list[tuple[Any, Any]] = []
        own: list[tuple[Any, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                own.append((key_node, value_node))
                continue
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in sources:
                self.count += max(
                    1, len(source.value) if isinstance(source, yaml.MappingNode) else 1
                )
                if not isinstance(source, yaml.MappingNode) or self.count > MAX_VALUES:
                    raise self.fail(value_node, "'<<' merges only mappings, a bounded number")
                if depth > MAX_DEPTH:
                    raise self.fail(value_node, f"'<<' merges nested deeper than {MAX_DEPTH}")
                merged.extend(self._pairs(source, depth + 1))
        own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        yield from ((k, v) for k, v in merged if getattr(k, "value", None) not in own_keys)
        yield from own

    def _scalar(self, node: Any, path: DocPath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = _yaml_problem(exc)
        except (ValueError, OverflowError, TypeError) as exc:
            # int("9" * 5000), a date like 2027-02-30, a bad !!binary...
            if "digits" in str(exc):
                problem = f"a number of {len(node.value)} digits is too large to read"
            else:
                detail = short_repr(str(exc), 80, quote=False)
                problem = f"{short_repr(node.value)} is not a valid value: {detail}"
        where = f"{display_path(path)}: " if path else ""
        raise self.fail(node, f"{where}{problem}")


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return short_repr(str(problem), 120, quote=False)


def _yaml_line(exc: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(exc, "position", None)  # a ReaderError: a character YAML refuses
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return None
