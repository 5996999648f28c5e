"""Terraform -> Declared: load a root module (HCL) or a plan and map its blocks into the model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.block import TfBlock
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.expansion import dropped_blocks
from dynaguard.sources.terraform.hcl import HclConverter
from dynaguard.sources.terraform.loader import load_module, var_files_for
from dynaguard.sources.terraform.map_services import map_backup, map_dax, map_network, map_scaling
from dynaguard.sources.terraform.map_tables import map_tables
from dynaguard.sources.terraform.policies import map_iam_policies
from dynaguard.sources.terraform.sources import SourceFiles, display_path


def declared_from_blocks(
    blocks: Iterable[TfBlock], unit: str, source: str, ids: Mapping[str, str] | None = None
) -> Declared:
    """Map converted blocks (from HCL or a plan) into one Declared unit."""
    declared = Declared(source=source, unit=unit)
    ctx = TfContext.of(blocks, declared, dict(ids or {}))
    declared.tables = map_tables(ctx)
    declared.dax_clusters = map_dax(ctx)
    declared.targets, declared.policies = map_scaling(ctx)
    declared.selections = map_backup(ctx)
    declared.vpcs, declared.endpoints = map_network(ctx)
    declared.iam_policies = map_iam_policies(ctx)
    return declared


def load_terraform_root(
    root: Path, wanted: set[Path] | frozenset[Path] | None, var_files: list[Path]
) -> tuple[Declared, list[InputProblem]]:
    """One root module as a Declared unit, with parse, suppression and dropped-block problems
    (runs in a worker process: see ``sources.iac.units``)."""
    module = load_module(root, set(wanted) if wanted is not None else None, var_files)
    problems = list(module.problems)
    sources = SourceFiles()
    converter = HclConverter(module.parsed, module.root, sources)
    blocks = converter.blocks(module.wanted)
    unit = declared_from_blocks(blocks, display_path(module.root), "terraform", converter.by_id)
    broken = {p.file for p in problems}
    names = var_files_for(root, var_files)
    problems += dropped_blocks(module.parsed, root, sources, names, broken)
    problems += sources.problems
    return unit, problems


def load_plan(path: Path, text: str, data: Any) -> tuple[Declared | None, list[InputProblem]]:
    """A plan (``terraform show -json``, already decoded) as one Declared unit; a plan that is
    not shaped as Terraform writes it is one problem with its line, and is not scanned."""
    from dynaguard.sources.terraform.plan import blocks_from_plan
    from dynaguard.sources.terraform.plan_schema import plan_mismatch

    shown = display_path(path)
    mismatch = plan_mismatch(data, text)
    if mismatch is not None:
        return None, [InputProblem(shown, mismatch[0], mismatch[1])]
    return declared_from_blocks(blocks_from_plan(data, path, text), shown, "plan"), []
