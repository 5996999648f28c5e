"""Inline suppressions in infrastructure code: ``# dynaguard:ignore DDB.013 reason``.

A suppression applies to the resource it sits in or directly above (a run of comment lines
immediately before the resource's first line). Only a real comment carries one (HCL ``#``,
``//`` and ``/* */``, YAML ``#``; see ``comments.py``): the same text in a string value is data.
One comment may name several controls, comma separated (``DDB.001,DDB.013 reason``): each gets
the whole reason. A suppression without a reason, or naming something that is not a control, is
rejected: it is reported as an input problem with its file and line and not applied, so every
exemption in the code says why and none is silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dynaguard.sources.iac.comments import NO_COMMENTS, Comments, yaml_comments
from dynaguard.sources.iac.problems import InputProblem

MARKER = "dynaguard:ignore"
_SUPPRESSION = re.compile(
    r"^dynaguard:ignore\b[ \t]*(?P<controls>[^\s,]+(?:[ \t]*,[ \t]*[^\s,]+)*,?)?[ \t]*"
    r"(?P<reason>.*)$"
)
_LIST = re.compile(r"[ \t]*,[ \t]*")


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


def _known_controls() -> frozenset[str]:
    # imported only when a marker is met: loading the catalog costs a parser worker time
    from dynaguard.controls.registry import control_ids

    return frozenset(control_ids())


def _problem(file: str, number: int, message: str) -> InputProblem:
    return InputProblem(file, number, f"{message}; not applied", "suppression")


def _parse(text: str, file: str, number: int) -> list[tuple[str, str]] | InputProblem | None:
    match = _SUPPRESSION.match(text)
    if match is None:
        return None
    named = [c.upper() for c in _LIST.split(match.group("controls") or "") if c]
    reason = match.group("reason").strip()
    if not named:
        return _problem(
            file,
            number,
            "inline suppression needs a control id such as DDB.013: "
            "'# dynaguard:ignore DDB.013 <reason>'",
        )
    known = _known_controls()
    unknown = [c for c in named if c not in known]
    if unknown:
        return _problem(
            file,
            number,
            f"inline suppression names {', '.join(repr(c) for c in unknown)}, not a control "
            f"(the controls are {min(known)} to {max(known)}); write "
            "'# dynaguard:ignore DDB.013[,DDB.014] <reason>'",
        )
    if not reason:
        return _problem(
            file,
            number,
            f"inline suppression of {', '.join(named)} has no reason: write "
            f"'# dynaguard:ignore {','.join(named)} <why it is acceptable>'",
        )
    return [(control, reason) for control in named]


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
                accepted.extend(parsed)
    return InlineSuppressions(tuple(accepted), tuple(rejected))


def template_comments(lines: list[str]) -> Comments:
    """The comments of a CloudFormation template (YAML or JSON) given as its lines; a
    template without a suppression marker is not tokenized."""
    text = "\n".join(lines)
    return yaml_comments(text) if MARKER in text else NO_COMMENTS
