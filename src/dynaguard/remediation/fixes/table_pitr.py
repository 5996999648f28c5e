"""DDB.002 / DDB.011: point-in-time recovery on with the configured window, in every replica
region (PITR is a per-replica setting).
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
"""

from __future__ import annotations

from typing import Any

from dynaguard.model import Known, Pitr, Table
from dynaguard.model.aws_rules import DEFAULT_PITR_DAYS
from dynaguard.remediation.base import (
    ApiStep,
    Change,
    LiveState,
    Options,
    PlanResult,
    Remediation,
    Skip,
)
from dynaguard.remediation.fixes.common import table_ref, table_step
from dynaguard.remediation.registry import register

PERMISSIONS = ("dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTable")


def describe_pitr(pitr: Pitr) -> str:
    return f"{pitr.window_days or DEFAULT_PITR_DAYS} days" if pitr.enabled else "off"


def pitr_step(table: str, region: str, enabled: bool, days: int | None) -> ApiStep:
    spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": enabled}
    if enabled and days:
        spec["RecoveryPeriodInDays"] = days
    return table_step(
        "dynamodb:UpdateContinuousBackups",
        table,
        region,
        PointInTimeRecoverySpecification=spec,
    )


def _days(live: LiveState, options: Options) -> int:
    return max(options.settings.pitr_days, live.baseline.pitr_min_days)


def plan_table(table: Table, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(table.pitr, Known):
        return Skip("DDB.002", table_ref(table), "PITR state unknown")
    pitr, days = table.pitr.value, _days(live, options)
    return Change(
        "DDB.002",
        table_ref(table),
        describe_pitr(pitr),
        f"{days} days",
        (pitr_step(table.name, table.region, True, days),),
        (pitr_step(table.name, table.region, pitr.enabled, pitr.window_days),),
        {"enabled": pitr.enabled, "window_days": pitr.window_days},
    )


def plan_replicas(table: Table, live: LiveState, options: Options) -> PlanResult:
    failing = {f.region for f in live.failing("DDB.011")}
    replicas = table.replicas.value if isinstance(table.replicas, Known) else ()
    days = _days(live, options)
    steps, undo, now = [], [], []
    for replica in replicas:
        if replica.region in failing and isinstance(replica.pitr, Known):
            pitr = replica.pitr.value
            steps.append(pitr_step(table.name, replica.region, True, days))
            undo.append(pitr_step(table.name, replica.region, pitr.enabled, pitr.window_days))
            now.append(f"{replica.region}: {describe_pitr(pitr)}")
    if not steps:
        return Skip("DDB.011", table_ref(table), "replica PITR state unknown")
    return Change(
        "DDB.011",
        table_ref(table),
        "; ".join(now),
        f"{days} days in {len(steps)} replica region(s)",
        tuple(steps),
        tuple(undo),
        {"replicas": now},
    )


register(
    Remediation(
        "DDB.002",
        "table",
        "enable PITR with the configured window (UpdateContinuousBackups)",
        PERMISSIONS,
        ("ACTIVE", "UPDATING"),
        plan_table,
    )
)
register(
    Remediation(
        "DDB.011",
        "table",
        "enable PITR in every failing replica region (UpdateContinuousBackups there)",
        PERMISSIONS,
        ("ACTIVE", "UPDATING"),
        plan_replicas,
    )
)
