"""Read a table schema (YAML or JSON; JSON is YAML) with the line of every value, and collect
every problem found in it so that validation reports them all at once.

The reading itself is :mod:`dynaguard.yaml_lines` (shared with the configuration): size, depth,
alias and encoding limits, one line per refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.errors import DynaguardError
from dynaguard.yaml_lines import DocPath, Document, InputError, Problem, parse_text, read_document

MAX_PROBLEMS_SHOWN = 50


class SchemaError(DynaguardError):
    """An invalid schema; ``problems`` lists every problem found, not only the first."""

    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
        shown = [p.describe(source) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        lines = "\n  ".join(shown)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid table schema ({len(problems)} {noun}):\n  {lines}")


@dataclass(slots=True)
class Problems:
    """The problems found so far in ``doc``. A problem inside a value that the schema model
    already refused (``refused``) is a consequence of that one and is not added again."""

    doc: Document
    refused: set[DocPath] = field(default_factory=set)
    found: list[Problem] = field(default_factory=list)

    def add(self, path: DocPath | str, message: str) -> None:
        where = (path,) if isinstance(path, str) else tuple(path)
        if any(where[: len(p)] == p for p in self.refused):
            return
        line = None if where and str(where[0]).startswith("--") else self.doc.line_of(where)
        self.found.append(Problem(where, message, line))

    def raise_if_any(self) -> None:
        if self.found:
            raise SchemaError(self.doc.source, self.found)


def parse_schema_text(text: str, source: str) -> Document:
    """The document in ``text``; a YAML/JSON syntax error is a SchemaError with its line."""
    try:
        return parse_text(text, source)
    except InputError as exc:
        raise SchemaError(source, [Problem(("(file)",), exc.reason, exc.line)]) from None


def read_schema_file(path: str | Path) -> Document:
    try:
        return read_document(path, "schema")
    except InputError as exc:
        raise SchemaError(str(path), [Problem(("(file)",), exc.reason, exc.line)]) from None


__all__ = ["Problem", "Problems", "SchemaError", "parse_schema_text", "read_schema_file"]
