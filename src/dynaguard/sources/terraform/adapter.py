"""Terraform -> Declared: load a root module (HCL) or a plan and map its blocks into the model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.backup_settings import map_backup_settings
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.expansion import Expansion, expansion_problems, expansions
from dynaguard.sources.terraform.hcl import HclConverter
from dynaguard.sources.terraform.loader import load_module, var_files_for
from dynaguard.sources.terraform.map_alarms import map_alarms
from dynaguard.sources.terraform.map_services import map_backup, map_dax, map_network, map_scaling
from dynaguard.sources.terraform.map_tables import map_tables
from dynaguard.sources.terraform.module_expansion import module_expansions
from dynaguard.sources.terraform.modules import unreadable_modules
from dynaguard.sources.terraform.null_values import NullJudge, assigned_variables
from dynaguard.sources.terraform.policies import map_iam_policies
from dynaguard.sources.terraform.sources import SourceFiles
from dynaguard.sources.terraform.unexpanded import (
    as_unexpanded,
    judged_once,
    renamed_address,
    unexpanded_reasons,
    without,
)


def declared_from_blocks(
    blocks: Iterable[Block], unit: str, source: str, ids: Mapping[str, str] | None = None
) -> Declared:
    """Map converted blocks (from HCL or a plan) into one Declared unit."""
    declared = Declared(source=source, unit=unit)
    ctx = TfContext.of(blocks, declared, dict(ids or {}))
    declared.tables = map_tables(ctx)
    declared.dax_clusters = map_dax(ctx)
    declared.targets, declared.policies = map_scaling(ctx)
    declared.selections = map_backup(ctx)
    declared.backup_settings = map_backup_settings(ctx)
    declared.vpcs, declared.endpoints = map_network(ctx)
    declared.iam_policies = map_iam_policies(ctx)
    declared.alarms, declared.unresolved_alarms = map_alarms(ctx)
    return declared


def load_terraform_root(
    root: Path, wanted: set[Path] | frozenset[Path] | None, var_files: list[Path]
) -> tuple[Declared, list[InputProblem]]:
    """One root module as a Declared unit, with parse, module, suppression and expansion
    problems (runs in a worker process: see ``sources.iac.units``). A block whose
    ``count``/``for_each`` cannot be expanded is judged once (``unexpanded.py``): the module
    is parsed again with that argument blanked."""
    wanted_files = set(wanted) if wanted is not None else None
    module = load_module(root, wanted_files, var_files)
    problems = list(module.problems)
    problems.extend(unreadable_modules(module.root, module.wanted))
    sources = SourceFiles()
    var_paths = [module.root / f for f in var_files_for(module.root, var_files)]
    provided = assigned_variables(var_paths)
    broken = {p.file for p in problems}

    def parse(blanked: Mapping[Path, frozenset[int]]) -> Mapping[str, Any]:
        return load_module(root, wanted_files, var_files, blanked).parsed

    def classify(parsed: Mapping[str, Any]) -> list[Expansion]:
        judge = NullJudge(parsed, module.root, sources, provided)
        return [
            *expansions(parsed, root, sources, provided, broken),
            *module_expansions(parsed, module.root, sources, judge),
        ]

    parsed, found, unknown = judged_once(module.parsed, parse, classify)
    parsed = without(parsed, [e for e in found if e.verdict == "invalid"])
    parsed = as_unexpanded(parsed, unknown)
    reasons = unexpanded_reasons(unknown)
    converter = HclConverter(parsed, module.root, sources, provided, reasons)
    blocks = converter.blocks(module.wanted)
    unit = declared_from_blocks(blocks, display_path(module.root), "terraform", converter.by_id)
    problems += expansion_problems(found, parsed, sources, renamed_address(unknown))
    problems += sources.problems
    return unit, problems


def load_plan(path: Path, text: str, data: Any) -> tuple[Declared | None, list[InputProblem]]:
    """A plan (``terraform show -json``, already decoded) as one Declared unit; a plan that is
    not shaped as Terraform writes it is one problem with its line, and is not scanned."""
    from dynaguard.sources.terraform.plan import blocks_from_plan, plan_gaps
    from dynaguard.sources.terraform.plan_schema import plan_mismatch

    shown = display_path(path)
    mismatch = plan_mismatch(data, text)
    if mismatch is not None:
        return None, [InputProblem(shown, mismatch[0], mismatch[1])]
    deferred, problems = plan_gaps(data, path, text)
    blocks = [*blocks_from_plan(data, path, text), *deferred]
    return declared_from_blocks(blocks, shown, "plan"), problems
