"""DDB.011: every global-table replica has point-in-time recovery (same window rule as DDB.002).

PITR is a per-replica setting: enabling it on one region does not protect the others, so every
replica is judged with ``judge_pitr``, one verdict each.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.controls.base import Context, Verdict, unknown
from dynaguard.controls.ddb002_table_pitr import judge_pitr
from dynaguard.controls.registry import control
from dynaguard.controls.replicas import judge_replicas
from dynaguard.model import Replica, Table, Unknown


def _replica_pitr(replica: Replica, min_days: int) -> Verdict:
    what = f"the replica in {replica.region}"
    if isinstance(replica.pitr, Unknown):
        return unknown(
            f"point-in-time recovery status of {what} unknown: {replica.pitr.reason}",
            replica.pitr.origin,
        )
    verdict = judge_pitr(replica.pitr.value, min_days, what)
    return Verdict(verdict.status, verdict.reason, evidence=replica.pitr.origin)


@control(
    id="DDB.011",
    title="Every global-table replica has point-in-time recovery",
    severity="medium",
    subject=Table,
    facts={"replicas"},
    rationale="Each replica keeps its own continuous backups; a replica without PITR cannot be "
    "restored in its region after a bad write replicated from elsewhere.",
    remediation="aws dynamodb update-continuous-backups --region REPLICA_REGION --table-name "
    "TABLE --point-in-time-recovery-specification "
    "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35 (for each replica; or: dynaguard "
    "harden)",
)
def replicas_pitr_enabled(table: Table, ctx: Context) -> Iterator[Verdict]:
    min_days = ctx.baseline.pitr_min_days
    return judge_replicas(table, lambda r: _replica_pitr(r, min_days))
