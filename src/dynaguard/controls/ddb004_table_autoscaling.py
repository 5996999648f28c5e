"""DDB.004: capacity scales with demand (on-demand, or provisioned with auto scaling).

A provisioned table needs, for its read AND write capacity AND those of every global secondary
index, an Application Auto Scaling scalable target plus a target-tracking policy. Targets and
policies are matched on the EXACT resource id (``table/NAME`` or ``table/NAME/index/IDX``) and
scalable dimension: a table's policy does not scale its indexes. Optional thresholds follow the
Config rule dynamodb-autoscaling-enabled: target utilisation within ``min_target..max_target``,
the target's MinCapacity at least ``min_capacity`` (a floor) and its MaxCapacity at most
``max_capacity`` (a cost ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dynaguard.config import AutoscalingRule
from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Scaling, SecondaryIndex, Table, Unknown

TARGET_TRACKING = "TargetTrackingScaling"


@dataclass(frozen=True, slots=True)
class Dimension:
    """One scalable dimension a provisioned table must cover."""

    resource_id: str
    dimension: str
    label: str


@dataclass(slots=True)
class _Findings:
    missing: list[str] = field(default_factory=list)
    out_of_bounds: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


def required_dimensions(table: Table, gsis: tuple[SecondaryIndex, ...]) -> list[Dimension]:
    """Read and write of the table, then read and write of every GSI."""
    base = f"table/{table.name}"
    dims = [
        Dimension(base, "dynamodb:table:ReadCapacityUnits", "table read"),
        Dimension(base, "dynamodb:table:WriteCapacityUnits", "table write"),
    ]
    for gsi in gsis:
        rid = f"{base}/index/{gsi.name}"
        dims.append(Dimension(rid, "dynamodb:index:ReadCapacityUnits", f"index {gsi.name} read"))
        dims.append(Dimension(rid, "dynamodb:index:WriteCapacityUnits", f"index {gsi.name} write"))
    return dims


def _check_dimension(
    dim: Dimension, scaling: Scaling, rule: AutoscalingRule, out: _Findings
) -> None:
    targets = [
        t
        for t in scaling.targets
        if t.resource_id == dim.resource_id and t.dimension == dim.dimension
    ]
    policies = [
        p
        for p in scaling.policies
        if p.resource_id == dim.resource_id
        and p.dimension == dim.dimension
        and p.policy_type == TARGET_TRACKING
    ]
    if not targets:
        out.missing.append(f"{dim.label} (no scalable target)")
        return
    if not policies:
        out.missing.append(f"{dim.label} (no target-tracking policy)")
        return
    for p in policies:
        if p.target_value is None:
            out.undecided.append(f"{dim.label}: target value of policy {p.name or '?'} unknown")
        elif not rule.min_target <= p.target_value <= rule.max_target:
            out.out_of_bounds.append(
                f"{dim.label}: target utilisation {p.target_value:g}% outside "
                f"{rule.min_target:g}-{rule.max_target:g}%"
            )
    _check_capacity(dim, targets[0].min_capacity, targets[0].max_capacity, rule, out)


def _check_capacity(
    dim: Dimension, low: int | None, high: int | None, rule: AutoscalingRule, out: _Findings
) -> None:
    if rule.min_capacity is not None:
        if low is None:
            out.undecided.append(f"{dim.label}: minimum capacity unknown")
        elif low < rule.min_capacity:
            out.out_of_bounds.append(
                f"{dim.label}: minimum capacity {low} below the required {rule.min_capacity}"
            )
    if rule.max_capacity is not None:
        if high is None:
            out.undecided.append(f"{dim.label}: maximum capacity unknown")
        elif high > rule.max_capacity:
            out.out_of_bounds.append(
                f"{dim.label}: maximum capacity {high} above the allowed {rule.max_capacity}"
            )


def _on_demand(table: Table) -> Verdict:
    if table.on_demand_max:
        limits = ", ".join(f"{k}={v}" for k, v in sorted(table.on_demand_max.items()))
        return passed(f"on-demand capacity scales with demand; maximum throughput set ({limits})")
    return passed(
        "on-demand capacity scales with demand; no on-demand maximum throughput is set "
        "(cost is unbounded)"
    )


def _provisioned(table: Table, ctx: Context) -> Verdict:
    if isinstance(table.gsis, Unknown):
        return unknown(f"global secondary indexes unknown: {table.gsis.reason}", table.gsis.origin)
    scaling = ctx.scope.scaling
    if isinstance(scaling, Unknown):
        return unknown(f"auto scaling configuration unknown: {scaling.reason}", scaling.origin)
    dims = required_dimensions(table, table.gsis.value)
    found = _Findings()
    for dim in dims:
        _check_dimension(dim, scaling.value, ctx.baseline.autoscaling, found)
    problems = [*(f"no auto scaling for {m}" for m in found.missing), *found.out_of_bounds]
    if problems:
        return failed("provisioned capacity: " + "; ".join(problems), scaling.origin)
    if found.undecided:
        return unknown("provisioned capacity: " + "; ".join(found.undecided), scaling.origin)
    return passed(
        f"provisioned capacity with target-tracking auto scaling on all {len(dims)} read/write "
        "dimensions of the table and its global secondary indexes",
        scaling.origin,
    )


@control(
    id="DDB.004",
    title="Table capacity scales with demand",
    severity="medium",
    subject=Table,
    facts={"table.describe", "region.scaling"},
    rationale="Fixed provisioned capacity throttles requests when traffic rises (an outage) and "
    "wastes money when it falls; on-demand mode or target-tracking auto scaling follows load.",
    remediation="aws application-autoscaling register-scalable-target --service-namespace "
    "dynamodb --resource-id table/TABLE --scalable-dimension dynamodb:table:ReadCapacityUnits "
    "--min-capacity 5 --max-capacity 100, then put-scaling-policy --policy-type "
    "TargetTrackingScaling with PredefinedMetricType DynamoDBReadCapacityUtilization, "
    "TargetValue 70 (the same for writes and for every GSI); or switch the table to "
    "--billing-mode PAY_PER_REQUEST (or: dynaguard harden)",
)
def table_capacity_autoscaled(table: Table, ctx: Context) -> Verdict:
    mode = table.billing_mode
    if isinstance(mode, Unknown):
        return unknown(f"billing mode unknown: {mode.reason}", mode.origin)
    if mode.value == "PAY_PER_REQUEST":
        return _on_demand(table)
    if mode.value == "PROVISIONED":
        return _provisioned(table, ctx)
    return unknown(f"unrecognised billing mode {mode.value!r}", mode.origin)
