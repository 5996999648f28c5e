"""Read a table schema (YAML or JSON; JSON is YAML) keeping the line of every key, and collect
every problem found in it so that validation reports them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dynaguard.errors import DynaguardError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a schema: the field (a path like ``global_indexes[1].name``)."""

    field: str
    message: str
    line: int | None = None

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.field}: {self.message}"


class SchemaError(DynaguardError):
    """An invalid schema; ``problems`` lists every problem found, not only the first."""

    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n  ".join(p.describe(source) for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid table schema ({len(problems)} {noun}):\n  {lines}")


@dataclass(slots=True)
class Problems:
    """The problems found so far, in the order found."""

    found: list[Problem] = field(default_factory=list)

    def add(self, where: str, message: str, node: Any = None, key: Any = None) -> None:
        self.found.append(Problem(where, message, line_of(node, key)))

    def raise_if_any(self, source: str) -> None:
        if self.found:
            raise SchemaError(source, self.found)


class LinedDict(dict[Any, Any]):
    """A mapping from the schema file that remembers its own line and each key's line."""

    def __init__(self, data: dict[Any, Any], lines: dict[Any, int], line: int) -> None:
        super().__init__(data)
        self.lines = lines
        self.line = line


def line_of(node: Any, key: Any = None) -> int | None:
    if not isinstance(node, LinedDict):
        return None
    if key is not None and key in node.lines:
        return node.lines[key]
    return node.line


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings are LinedDicts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LinedDict:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    return LinedDict(mapping, lines, node.start_mark.line + 1)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_schema_text(text: str, source: str) -> Any:
    """The document in ``text``; a YAML/JSON syntax error is a SchemaError with its line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise SchemaError(
            source, [Problem("(file)", f"not valid YAML/JSON: {problem}", line)]
        ) from None


def read_schema_file(path: str | Path) -> Any:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(
            str(p), [Problem("(file)", f"cannot read: {exc.strerror or exc}")]
        ) from None
    return parse_schema_text(text, str(p))
