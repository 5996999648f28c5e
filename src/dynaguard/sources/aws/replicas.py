"""Global-table replicas, each described in its own region.

A version 2019.11.21 global table lists its replicas in ``TableDescription.Replicas``; each
replica is a table in its region with its own encryption and PITR, so DDB.010 / DDB.011 read it
there. When that region is scanned in the same account the replica is already a collected table
and is reused (no second call). Every listed replica appears in the model: a replica whose
reads failed carries Unknown facts, it is never dropped.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dynaguard.model import NOT_COLLECTED, Encryption, Fact, Known, Pitr, Replica, Table, Unknown
from dynaguard.sources.aws.dynamodb import (
    DDB,
    ReplicaRef,
    describe_table,
    encryption_of,
    read_pitr,
    table_arn,
)
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import known_or_unknown


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """What a replica's own region says about it."""

    arn: str | None
    encryption: Fact[Encryption]
    pitr: Fact[Pitr]


def state_of_table(table: Table) -> ReplicaState | None:
    """A collected table's state, when it already has everything a replica needs."""
    if table.encryption is NOT_COLLECTED or table.pitr is NOT_COLLECTED:
        return None
    return ReplicaState(table.arn, table.encryption, table.pitr)


def read_replica_state(reader: RegionReader, name: str, scanned: Table | None) -> ReplicaState:
    """Describe the replica in ``reader``'s region, reusing what ``scanned`` already holds."""
    encryption = scanned.encryption if scanned is not None else NOT_COLLECTED
    pitr = scanned.pitr if scanned is not None else NOT_COLLECTED
    arn = scanned.arn if scanned is not None else table_arn(reader, name)
    if encryption is NOT_COLLECTED:
        description = reader.fact(lambda: describe_table(reader, name), DDB, "DescribeTable")
        if isinstance(description, Known):
            desc = description.value
            encryption = known_or_unknown(lambda: encryption_of(desc), description.origin)
            found = known_or_unknown(lambda: desc.opt_text("TableArn"), description.origin)
            arn = found.value if isinstance(found, Known) and found.value else arn
        else:
            encryption = description
    if pitr is NOT_COLLECTED:
        pitr = read_pitr(reader, name)
    return ReplicaState(arn, encryption, pitr)


def build_replicas(
    table: Table,
    refs: Fact[tuple[ReplicaRef, ...]],
    states: Mapping[tuple[str, str], ReplicaState],
) -> Fact[tuple[Replica, ...]]:
    """Every replica the table lists, with its state from ``states[(region, name)]``."""
    if isinstance(refs, Unknown):
        return refs
    replicas = []
    for ref in refs.value:
        state = states.get((ref.region, table.name))
        if state is None:  # a scheduling bug must show, not hide the replica
            missing = Unknown(f"replica in {ref.region} was not read")
            state = ReplicaState(None, missing, missing)
        status: Fact[str] = (
            Known(ref.status, refs.origin)
            if ref.status
            else Unknown("replica status not reported", refs.origin)
        )
        replicas.append(
            Replica(
                table_name=table.name,
                region=ref.region,
                arn=state.arn,
                status=status,
                encryption=state.encryption,
                pitr=state.pitr,
                origin=state.encryption.origin,
            )
        )
    return Known(tuple(replicas), refs.origin)


def key_refs(encryption: Fact[Encryption]) -> tuple[str, ...]:
    """The KMS key a table or replica uses, if any (none for the AWS owned key)."""
    if isinstance(encryption, Known) and encryption.value.kms and encryption.value.key_ref:
        return (encryption.value.key_ref,)
    return ()
