"""Source text of the scanned files: comments for suppressions, lines for quoting expressions.

Only files that hold a block the adapter maps are read, each once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from dynaguard.sources.iac.comments import NO_COMMENTS, Comments, hcl_comments
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.iac.suppressions import MARKER


@cache
def _attribute_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*[=:]\s*(.+?)\s*,?\s*$")


class SourceFiles:
    def __init__(self) -> None:
        self._lines: dict[Path, list[str]] = {}
        self._display: dict[Path, str] = {}
        self._comments: dict[Path, Comments] = {}
        self.problems: list[InputProblem] = []

    def lines(self, path: Path) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._lines[path] = []
        return self._lines[path]

    def comments(self, path: Path) -> Comments:
        """The file's comments (Terraform JSON has none; a file without a suppression marker
        is not tokenized)."""
        if path not in self._comments:
            text = "\n".join(self.lines(path))
            if path.name.endswith(".json") or MARKER not in text:
                self._comments[path] = NO_COMMENTS
            else:
                self._comments[path] = hcl_comments(text)
        return self._comments[path]

    def display(self, path: Path) -> str:
        if path not in self._display:
            self._display[path] = display_path(path)
        return self._display[path]

    def expression(self, path: Path, first: int, last: int, name: str) -> str | None:
        """The source text of attribute ``name`` within lines ``first``..``last``, if found."""
        pattern = _attribute_pattern(name)
        lines = self.lines(path)
        for line in lines[first - 1 : last]:
            match = pattern.match(line)
            if match:
                return match.group(1)
        return None

    def add_problems(self, problems: Iterable[InputProblem]) -> None:
        self.problems.extend(problems)


__all__ = ["SourceFiles", "display_path"]
