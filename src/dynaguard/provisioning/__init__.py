"""Provisioning: create DynamoDB tables that pass the baseline from the first second.

    spec = load_spec(schema="orders.yaml", defaults=SpecDefaults(region="eu-west-1"))
    session = ProvisionSession(AwsOptions(), spec.region, run_id, recorder)
    plan = live_plan(spec, session, controls, config, run_id)   # read-only
    results = execute_plan(plan, session)                       # CreateTable + steps

or render the same table as code: ``render_terraform(spec)``, ``render_cloudformation(spec)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.provisioning.apply import Executor, StepResult, Waiting, apply_plan
from dynaguard.provisioning.emit_cloudformation import render_cloudformation
from dynaguard.provisioning.emit_terraform import render_terraform
from dynaguard.provisioning.live import ProvisionSession
from dynaguard.provisioning.plan import Plan, live_plan, offline_plan, render_plan
from dynaguard.provisioning.presets import PRESETS, load_preset, preset_text
from dynaguard.provisioning.schema_file import Problem, SchemaError, read_schema_file
from dynaguard.provisioning.spec import SpecDefaults, TableSpec
from dynaguard.provisioning.validate import build_spec


def load_spec(
    *, schema: str | Path | None = None, preset: str | None = None, defaults: SpecDefaults
) -> TableSpec:
    """A validated spec from a schema file or a preset (exactly one)."""
    if (schema is None) == (preset is None):
        raise UsageError("give a schema file or --preset (exactly one)")
    raw: Any
    if preset is not None:
        if not defaults.table_name:
            raise UsageError("--preset needs --name (the table name)")
        raw, source = load_preset(preset), f"preset:{preset}"
    else:
        raw, source = read_schema_file(str(schema)), str(schema)
    return build_spec(raw, defaults, source)


def execute_plan(
    plan: Plan, session: ProvisionSession, waiting: Waiting | None = None
) -> list[StepResult]:
    """CreateTable, wait for ACTIVE, then every post-create step, each verified."""
    executor = Executor(
        session.client,
        plan.spec.table_name,
        plan.spec.region,
        waiting or Waiting(),
    )
    return apply_plan(executor, plan.create_request, list(plan.steps))


__all__ = [
    "PRESETS",
    "Plan",
    "Problem",
    "ProvisionSession",
    "SchemaError",
    "SpecDefaults",
    "StepResult",
    "TableSpec",
    "Waiting",
    "build_spec",
    "execute_plan",
    "live_plan",
    "load_spec",
    "offline_plan",
    "preset_text",
    "render_cloudformation",
    "render_plan",
    "render_terraform",
]
