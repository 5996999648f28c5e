"""CloudFormation template -> Declared."""

from __future__ import annotations

from pathlib import Path

from dynaguard.sources.cloudformation.context import CfnContext
from dynaguard.sources.cloudformation.language_extensions import expand_language_extensions
from dynaguard.sources.cloudformation.map_alarms import map_alarms
from dynaguard.sources.cloudformation.map_services import (
    map_backup,
    map_dax,
    map_iam,
    map_network,
    map_scaling,
)
from dynaguard.sources.cloudformation.map_tables import map_global_table, map_table
from dynaguard.sources.cloudformation.nested_stacks import nested_blocks
from dynaguard.sources.cloudformation.resolve import Resolver
from dynaguard.sources.cloudformation.sam import translate_sam
from dynaguard.sources.cloudformation.template import (
    LoadedTemplate,
    load_template,
    resource_blocks,
)
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.problems import InputProblem


def prepared_template(path: Path, text: str | None = None) -> LoadedTemplate:
    """The template as CloudFormation deploys it: its transforms applied
    (AWS::LanguageExtensions, then SAM), with the problems met."""
    loaded = load_template(path, text)
    if not loaded.data:
        return loaded
    loaded.data, found = expand_language_extensions(loaded.data, loaded.shown)
    loaded.problems.extend(found)
    loaded.data, found = translate_sam(loaded.data, loaded.shown)
    loaded.problems.extend(found)
    return loaded


def load_cloudformation(
    path: Path, text: str | None = None
) -> tuple[Declared | None, list[InputProblem]]:
    """A template (its text, or read from ``path``) as one Declared unit, with its problems."""
    loaded = prepared_template(path, text)
    if not loaded.data:
        return None, loaded.problems
    declared = Declared(source="cloudformation", unit=loaded.shown)
    raw_resources = dict(loaded.data.get("Resources") or {})
    ctx = CfnContext(declared, raw_resources)
    resolver = Resolver(loaded.data, ctx.render, declared.region)
    ctx.resolve = resolver.value
    blocks = resource_blocks(loaded, resolver)
    nested, problems = nested_blocks(loaded, resolver, raw_resources, prepared_template, ctx.render)
    ctx.blocks = {b.address: b for b in blocks + nested}
    declared.tables = [map_table(b, ctx) for b in ctx.of_type("AWS::DynamoDB::Table")]
    declared.tables += [map_global_table(b, ctx) for b in ctx.of_type("AWS::DynamoDB::GlobalTable")]
    declared.dax_clusters = map_dax(ctx)
    declared.targets, declared.policies = map_scaling(ctx)
    declared.selections = map_backup(ctx)
    declared.iam_policies = map_iam(ctx)
    declared.vpcs, declared.endpoints = map_network(ctx)
    declared.alarms, declared.unresolved_alarms = map_alarms(ctx)
    return declared, loaded.problems + problems
