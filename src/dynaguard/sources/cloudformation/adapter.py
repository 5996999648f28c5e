"""CloudFormation template -> Declared."""

from __future__ import annotations

from pathlib import Path

from dynaguard.sources.cloudformation.context import CfnContext
from dynaguard.sources.cloudformation.map_services import (
    map_backup,
    map_dax,
    map_iam,
    map_network,
    map_scaling,
)
from dynaguard.sources.cloudformation.map_tables import map_global_table, map_table
from dynaguard.sources.cloudformation.resolve import Resolver
from dynaguard.sources.cloudformation.template import load_template, resource_blocks
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.problems import InputProblem


def load_cloudformation(path: Path, text: str) -> tuple[Declared | None, list[InputProblem]]:
    """A template's text (YAML or JSON) as one Declared unit, with its problems."""
    loaded = load_template(path, text)
    if not loaded.data:
        return None, loaded.problems
    declared = Declared(source="cloudformation", unit=loaded.shown)
    ctx = CfnContext(declared, loaded.data.get("Resources") or {})
    resolver = Resolver(loaded.data, ctx.render)
    ctx.resolve = resolver.value
    blocks = resource_blocks(loaded, resolver)
    ctx.blocks = {b.address: b for b in blocks}
    declared.tables = [map_table(b, ctx) for b in ctx.of_type("AWS::DynamoDB::Table")]
    declared.tables += [map_global_table(b, ctx) for b in ctx.of_type("AWS::DynamoDB::GlobalTable")]
    declared.dax_clusters = map_dax(ctx)
    declared.targets, declared.policies = map_scaling(ctx)
    declared.selections = map_backup(ctx)
    declared.iam_policies = map_iam(ctx)
    declared.vpcs, declared.endpoints = map_network(ctx)
    return declared, loaded.problems
