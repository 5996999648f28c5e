"""``count`` / ``for_each`` of the blocks inside modules, judged per module instance.

A module's ``for_each = var.tables`` is known or not depending on its call: ``tables =
var.tables`` from a root variable without a value leaves it unknown, and tfparse then drops
the table in silence, as it does at the root (``expansion.py``). Each module instance tfparse
evaluated is found from the blocks it gave for it (its variables, locals, resources), the
``.tf`` files of that module's folder are read, and each mapped block is classified with the
instance's scope: ``NullJudge`` follows ``var.x`` through the call's arguments up to the root
variables and var files; a data source, module output or resource attribute is unknown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dynaguard.sources.terraform.expansion import (
    Expansion,
    apply_time_reason,
    classify,
    declarations,
    expanded_addresses,
)
from dynaguard.sources.terraform.expressions import Expression
from dynaguard.sources.terraform.null_values import NOT_SET, NullJudge, Span, scope_of
from dynaguard.sources.terraform.sources import SourceFiles


def module_instances(parsed: Mapping[str, Any], root: Path) -> dict[str, Path]:
    """Module instance (``module.a``, ``module.a["k"].module.b``) -> the folder of its code."""
    out: dict[str, Path] = {}
    for kind, items in parsed.items():
        for item in items if isinstance(items, list) else []:
            meta = item.get("__tfmeta") or {}
            path, filename = str(meta.get("path", "")), meta.get("filename")
            if not isinstance(filename, str) or not path.startswith("module."):
                continue
            # a module call sits in its caller: its own path is not its scope
            scope = scope_of(path.rpartition(".module.")[0]) if kind == "module" else scope_of(path)
            if scope:
                out.setdefault(scope, (root / filename).parent)
    return out


def module_expansions(
    parsed: Mapping[str, Any], root: Path, sources: SourceFiles, judge: NullJudge
) -> list[Expansion]:
    """Every mapped block and module call inside every module instance, classified."""
    out = []
    expanded = expanded_addresses(parsed)
    for scope, folder in sorted(module_instances(parsed, root).items()):
        try:
            paths = sorted(p for p in folder.iterdir() if p.name.endswith(".tf"))
        except OSError:
            continue
        for path in paths:
            for declaration in declarations(path, sources.lines(path)):
                span = Span(path, declaration.line, declaration.last)
                out.append(classify(declaration, _why(judge, scope, span), scope, expanded))
    return out


def _why(judge: NullJudge, scope: str, span: Span) -> Callable[[Expression], str | None]:
    def why(expr: Expression) -> str | None:
        found = judge.unknown_because(expr, scope, span) or apply_time_reason(expr)
        return found.replace(f" ({NOT_SET})", "") if found else None

    return why


def blankable(found: Sequence[Expansion]) -> list[Expansion]:
    """The unknown expansions whose ``count``/``for_each`` can be blanked: a module's file is
    shared by all its instances, so only when the block is unknown in every one of them; not
    in Terraform JSON (reported, not judged)."""
    verdicts: dict[tuple[str, int], set[str]] = {}
    for expansion in found:
        key = (os.path.normpath(expansion.declaration.path), expansion.declaration.line)
        verdicts.setdefault(key, set()).add(expansion.verdict)
    return [
        e
        for e in found
        if e.verdict == "unknown"
        and not e.declaration.path.name.endswith(".json")  # JSON has no line to empty
        and verdicts[(os.path.normpath(e.declaration.path), e.declaration.line)] == {"unknown"}
    ]
