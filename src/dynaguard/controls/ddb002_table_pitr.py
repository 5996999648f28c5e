"""DDB.002: point-in-time recovery on, with a recovery window of at least ``pitr_min_days``."""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Pitr, Table, Unknown
from dynaguard.model.aws_rules import DEFAULT_PITR_DAYS


def judge_pitr(pitr: Pitr, min_days: int, what: str) -> Verdict:
    """Shared with DDB.011, which applies the same rule to every global-table replica."""
    if not pitr.enabled:
        return failed(f"point-in-time recovery is disabled on {what}")
    window = pitr.window_days if pitr.window_days is not None else DEFAULT_PITR_DAYS
    if window < min_days:
        return failed(
            f"point-in-time recovery window on {what} is {window} days, below the "
            f"required {min_days}"
        )
    return passed(f"point-in-time recovery enabled on {what} with a {window}-day window")


@control(
    id="DDB.002",
    title="Point-in-time recovery enabled with the required window",
    severity="medium",
    subject=Table,
    facts={"table.pitr"},
    rationale="PITR restores a table to any second of the recovery window after a bad write "
    "or deletion of items; a short window leaves too little time to notice.",
    remediation="aws dynamodb update-continuous-backups --table-name TABLE "
    "--point-in-time-recovery-specification "
    "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35 (or: dynaguard harden)",
)
def table_pitr_enabled(table: Table, ctx: Context) -> Verdict:
    if isinstance(table.pitr, Unknown):
        return unknown(
            f"point-in-time recovery status unknown: {table.pitr.reason}", table.pitr.origin
        )
    verdict = judge_pitr(table.pitr.value, ctx.baseline.pitr_min_days, "the table")
    return Verdict(verdict.status, verdict.reason, evidence=table.pitr.origin)
