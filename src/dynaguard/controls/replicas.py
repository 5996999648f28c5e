"""Shared by the global-table controls (DDB.010, DDB.011): one verdict per replica.

Every replica is judged, never only the first. A table without replicas is NOT_APPLICABLE; a
table whose replica list could not be read is UNKNOWN (a failed read is never a missing finding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dynaguard.controls.base import Subject, Verdict, not_applicable, unknown
from dynaguard.model import Replica, Table, Unknown


def replica_subject(table: Table, replica: Replica) -> Subject:
    """The finding identity of a replica: the table name in the replica's own region, and the
    region of the table it replicates (where its fixes are made)."""
    return Subject(
        "replica",
        replica.table_name or table.name,
        table.account_id,
        replica.region,
        replica.arn,
        replica.origin or table.origin,
        table.suppressions,
        table_region=table.region,
    )


def judge_replicas(table: Table, judge: Callable[[Replica], Verdict]) -> Iterator[Verdict]:
    """Apply ``judge`` to every replica of ``table``, attaching each replica's subject."""
    replicas = table.replicas
    if isinstance(replicas, Unknown):
        yield unknown(f"global-table replicas unknown: {replicas.reason}", replicas.origin)
        return
    if not replicas.value:
        yield not_applicable("not a global table (no replicas)", replicas.origin)
        return
    for replica in replicas.value:
        verdict = judge(replica)
        yield Verdict(
            verdict.status,
            verdict.reason,
            subject=replica_subject(table, replica),
            evidence=verdict.evidence or replica.origin,
        )
