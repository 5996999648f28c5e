"""Terraform -> Declared: load root modules (HCL) and map their blocks into the model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.backup_settings import map_backup_settings
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.hcl import HclConverter
from dynaguard.sources.terraform.loader import load_all, var_files_for
from dynaguard.sources.terraform.map_alarms import map_alarms
from dynaguard.sources.terraform.map_services import map_backup, map_dax, map_network, map_scaling
from dynaguard.sources.terraform.map_tables import map_tables
from dynaguard.sources.terraform.modules import unreadable_modules
from dynaguard.sources.terraform.null_values import assigned_variables
from dynaguard.sources.terraform.policies import map_iam_policies
from dynaguard.sources.terraform.sources import SourceFiles


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


def load_terraform(
    dirs: Mapping[Path, set[Path] | None], var_files: list[Path]
) -> tuple[list[Declared], list[InputProblem]]:
    """Every root module under ``dirs`` as a Declared unit, with parse and suppression problems."""
    loaded, problems = load_all(dirs, var_files)
    units = []
    for module in loaded:
        problems.extend(module.problems)
        problems.extend(unreadable_modules(module.root, module.wanted))
        sources = SourceFiles()
        provided = assigned_variables(
            module.root / f for f in var_files_for(module.root, var_files)
        )
        converter = HclConverter(module.parsed, module.root, sources, provided)
        blocks = converter.blocks(module.wanted)
        units.append(
            declared_from_blocks(blocks, display_path(module.root), "terraform", converter.by_id)
        )
        problems.extend(sources.problems)
    return units, problems


def load_plan(path: Path) -> tuple[Declared | None, list[InputProblem]]:
    """A plan file (``terraform show -json``) as one Declared unit."""
    import json

    from dynaguard.sources.terraform.plan import blocks_from_plan

    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [InputProblem(shown, exc.lineno, f"cannot parse plan JSON: {exc.msg}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [InputProblem(shown, None, f"cannot read plan: {exc}")]
    return declared_from_blocks(blocks_from_plan(data, path, text), shown, "plan"), []
