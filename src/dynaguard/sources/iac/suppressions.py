"""Inline suppressions in infrastructure code: ``# dynaguard:ignore DDB.013 reason``.

A suppression applies to the resource it sits in or directly above (a run of comment lines
immediately before the resource's first line). HCL accepts ``#`` and ``//`` comments, YAML
``#``. A suppression without a reason is rejected: it is reported as an input problem and not
applied, so every exemption in the code says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dynaguard.sources.iac.problems import InputProblem

MARKER = "dynaguard:ignore"
_SUPPRESSION = re.compile(
    r"(?:#|//)\s*dynaguard:ignore\b[ \t]*(?P<control>[A-Za-z]+\.\d+|\S+)?[ \t]*(?P<reason>.*)$"
)
_CONTROL = re.compile(r"^DDB\.\d{3}$")
_COMMENT = re.compile(r"^\s*(#|//)")


@dataclass(frozen=True, slots=True)
class InlineSuppressions:
    accepted: tuple[tuple[str, str], ...]
    rejected: tuple[InputProblem, ...]


def _above(lines: Sequence[str], first: int) -> range:
    """1-based line numbers of the comment run directly above line ``first``."""
    top = first - 1
    while top >= 1 and _COMMENT.match(lines[top - 1]):
        top -= 1
    return range(top + 1, first)


def _parse(text: str, file: str, number: int) -> tuple[str, str] | InputProblem | None:
    if MARKER not in text:
        return None
    match = _SUPPRESSION.search(text)
    if match is None:
        return None
    control = (match.group("control") or "").upper()
    reason = match.group("reason").strip().rstrip("*/").strip()
    if not _CONTROL.match(control):
        return InputProblem(
            file,
            number,
            f"inline suppression needs a control id such as DDB.013 (got "
            f"{control or 'nothing'!r}): '# dynaguard:ignore DDB.013 <reason>'; not applied",
            "suppression",
        )
    if not reason:
        return InputProblem(
            file,
            number,
            f"inline suppression of {control} has no reason: write "
            f"'# dynaguard:ignore {control} <why it is acceptable>'; not applied",
            "suppression",
        )
    return control, reason


def inline_suppressions(
    lines: Sequence[str], file: str, first: int, last: int
) -> InlineSuppressions:
    """Suppressions for the resource spanning lines ``first``..``last`` (1-based)."""
    accepted: list[tuple[str, str]] = []
    rejected: list[InputProblem] = []
    numbers = [*_above(lines, first), *range(first, min(last, len(lines)) + 1)]
    for number in numbers:
        parsed = _parse(lines[number - 1], file, number)
        if isinstance(parsed, InputProblem):
            rejected.append(parsed)
        elif parsed is not None:
            accepted.append(parsed)
    return InlineSuppressions(tuple(accepted), tuple(rejected))
