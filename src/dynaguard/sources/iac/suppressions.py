"""Inline suppressions in infrastructure code: ``# dynaguard:ignore DDB.013 reason``.

A suppression applies to the resource it sits in or directly above (a run of comment lines
immediately before the resource's first line). Only a real comment carries one (HCL ``#``,
``//`` and ``/* */``, YAML ``#``; see ``comments.py``): the same text in a string value is data.
A suppression without a reason is rejected: it is reported as an input problem and not
applied, so every exemption in the code says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dynaguard.sources.iac.comments import NO_COMMENTS, Comments, yaml_comments
from dynaguard.sources.iac.problems import InputProblem

MARKER = "dynaguard:ignore"
_SUPPRESSION = re.compile(
    r"^dynaguard:ignore\b[ \t]*(?P<control>[A-Za-z]+\.\d+|\S+)?[ \t]*(?P<reason>.*)$"
)
_CONTROL = re.compile(r"^DDB\.\d{3}$")


@dataclass(frozen=True, slots=True)
class InlineSuppressions:
    accepted: tuple[tuple[str, str], ...]
    rejected: tuple[InputProblem, ...]


def _above(comments: Comments, first: int) -> range:
    """1-based line numbers of the comment-only run directly above line ``first``."""
    top = first - 1
    while top >= 1 and top in comments.whole_lines:
        top -= 1
    return range(top + 1, first)


def _parse(text: str, file: str, number: int) -> tuple[str, str] | InputProblem | None:
    match = _SUPPRESSION.match(text)
    if match is None:
        return None
    control = (match.group("control") or "").upper()
    reason = match.group("reason").strip()
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


def inline_suppressions(comments: Comments, file: str, first: int, last: int) -> InlineSuppressions:
    """Suppressions for the resource spanning lines ``first``..``last`` (1-based)."""
    accepted: list[tuple[str, str]] = []
    rejected: list[InputProblem] = []
    for number in [*_above(comments, first), *range(first, last + 1)]:
        for text in comments.texts.get(number, ()):
            parsed = _parse(text, file, number)
            if isinstance(parsed, InputProblem):
                rejected.append(parsed)
            elif parsed is not None:
                accepted.append(parsed)
    return InlineSuppressions(tuple(accepted), tuple(rejected))


def template_comments(lines: list[str]) -> Comments:
    """The comments of a CloudFormation template (YAML or JSON) given as its lines; a
    template without a suppression marker is not tokenized."""
    text = "\n".join(lines)
    return yaml_comments(text) if MARKER in text else NO_COMMENTS
