"""Nested stacks (``AWS::CloudFormation::Stack``): judged with their parent, as deployed.

A nested stack's template is local when CDK wrote it beside its parent (``cdk.out``: the
stack resource's ``Metadata`` names it in ``aws:asset:path``) or when ``TemplateURL`` is a
relative path (before ``aws cloudformation package``). Its parameters take the values the
parent passes in the stack resource's ``Parameters`` (CDK passes a key's ARN as
``referencetoStackKeyArn``), resolved in the parent, so a table in a nested stack encrypted
with the parent's ``AWS::KMS::Key`` is known to use a customer managed key. Its resources
join the parent's unit as ``<stack logical id>/<logical id>``, with their own file and lines.

A nested template that is not local (an S3 URL) cannot be read: one problem at the stack
resource's line. A nested template is not scanned on its own beside its parent (its
parameters would all be unknown there).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from dynaguard.sources.cloudformation.resolve import Render, Resolver
from dynaguard.sources.cloudformation.template import LoadedTemplate, resource_blocks
from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.problems import InputProblem

STACK = "AWS::CloudFormation::Stack"
MAX_DEPTH = 5  # CloudFormation allows deeper nesting; templates seen in practice do not
_REMOTE = re.compile(r"^(https?|s3)://", re.IGNORECASE)

Prepare = Callable[[Path], LoadedTemplate]


def local_template(parent: Path, resource: Mapping[str, Any]) -> Path | str | None:
    """The nested template's local path, or the URL that cannot be read, or None when the
    resource does not say (a TemplateURL built with functions and no CDK metadata)."""
    metadata = resource.get("Metadata")
    asset = metadata.get("aws:asset:path") if isinstance(metadata, Mapping) else None
    if isinstance(asset, str) and asset.endswith((".json", ".yaml", ".yml", ".template")):
        return Path(os.path.normpath(parent.parent / asset))
    props = resource.get("Properties")
    url = props.get("TemplateURL") if isinstance(props, Mapping) else None
    if isinstance(url, str):
        return url if _REMOTE.match(url) else Path(os.path.normpath(parent.parent / url))
    return None


def nested_blocks(
    parent: LoadedTemplate,
    resolver: Resolver,
    raw_resources: dict[str, Any],
    prepare: Prepare,
    render: Render,
    depth: int = 0,
) -> tuple[list[Block], list[InputProblem]]:
    """The resources of every local nested stack of ``parent`` (recursively), named into
    the parent's unit; ``raw_resources`` gains them under the same names."""
    blocks: list[Block] = []
    problems: list[InputProblem] = []
    resources = parent.data.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != STACK:
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str) and resolver.condition(condition) is False:
            continue
        where = local_template(parent.path, resource)
        line = _line(logical_id)
        if where is None:
            continue
        if isinstance(where, str) or not where.is_file() or depth >= MAX_DEPTH:
            why = "its template is not a local file" if depth < MAX_DEPTH else "nested too deep"
            shown = where if isinstance(where, str) else str(where)
            problems.append(
                InputProblem(
                    parent.shown,
                    line,
                    f"nested stack {logical_id} ({shown}): {why}; its resources are not scanned",
                )
            )
            continue
        props = resource.get("Properties")
        passed = props.get("Parameters") if isinstance(props, Mapping) else None
        values = {str(k): resolver.value(v) for k, v in (passed or {}).items()}
        namespace = f"{resolver.namespace}{logical_id}/"
        loaded = prepare(where)
        problems += loaded.problems
        if not loaded.data:
            continue
        inner = Resolver(loaded.data, render, resolver.region, namespace, values)
        for name, raw in (loaded.data.get("Resources") or {}).items():
            raw_resources[f"{namespace}{name}"] = raw
        blocks += [
            replace(b, address=f"{namespace}{b.address}") for b in resource_blocks(loaded, inner)
        ]
        deeper, met = nested_blocks(loaded, inner, raw_resources, prepare, render, depth + 1)
        blocks += deeper
        problems += met
    return blocks, problems


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def nested_template_paths(templates: Iterable[Path]) -> set[Path]:
    """Templates that are a nested stack of another of ``templates`` (scanned through it)."""
    nested: set[Path] = set()
    for path in templates:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if STACK not in text:
            continue
        for resource in _resources(path, text):
            where = local_template(path, resource)
            if isinstance(where, Path):
                nested.add(where)
    return nested


def _resources(path: Path, text: str) -> list[Mapping[str, Any]]:
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return []
    else:
        from cfnlint.decode import decode_str

        data, _ = decode_str(text)
    resources = data.get("Resources") if isinstance(data, Mapping) else None
    if not isinstance(resources, Mapping):
        return []
    return [r for r in resources.values() if isinstance(r, Mapping) and r.get("Type") == STACK]
