"""Load a template with cfn-lint's decoder (YAML with short tags, or JSON; line numbers kept)
into ``Block`` values: one per resource, Properties resolved by ``Resolver``.

A resource whose ``Condition`` is false is not created and is left out; one whose condition
cannot be decided is kept (judged as if created: the conservative reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.model import Origin, Unknown
from dynaguard.sources.cloudformation.resolve import Resolver
from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.iac.suppressions import inline_suppressions, template_comments


@dataclass(slots=True)
class LoadedTemplate:
    path: Path
    shown: str
    data: Mapping[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


def load_template(path: Path) -> LoadedTemplate:
    # imported only when a template is scanned (a slow import)
    from cfnlint.decode import decode  # type: ignore[import-untyped]

    loaded = LoadedTemplate(path, display_path(path))
    template, matches = decode(str(path))
    if template is None or matches:
        for match in matches[:1] or []:
            loaded.problems.append(
                InputProblem(
                    loaded.shown,
                    getattr(match, "linenumber", None) or None,
                    f"cannot parse template: {match.message}",
                )
            )
        if not loaded.problems:
            loaded.problems.append(InputProblem(loaded.shown, None, "cannot parse template"))
        return loaded
    loaded.data = template
    loaded.lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return loaded


def _line(node: Any, fallback: int = 1) -> tuple[int, int]:
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is None:
        return fallback, fallback
    return start.line + 1, (end.line + 1 if end is not None else start.line + 1)


def resource_blocks(loaded: LoadedTemplate, resolver: Resolver) -> list[Block]:
    blocks = []
    comments = template_comments(loaded.lines)
    resources = loaded.data.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str) and resolver.condition(condition) is False:
            continue
        key_line, _ = _line(logical_id)
        _, last = _line(resource, key_line)
        origin = Origin(loaded.shown, key_line)
        found = inline_suppressions(comments, loaded.shown, key_line, last)
        loaded.problems.extend(found.rejected)
        props = resolver.value(resource.get("Properties") or {})
        attrs = (
            props
            if isinstance(props, Mapping)
            else {"Properties": Unknown("Properties unresolved")}
        )
        blocks.append(
            Block(
                str(resource.get("Type", "")),
                str(logical_id),
                origin,
                attrs,
                "resource",
                found.accepted,
            )
        )
    return blocks
