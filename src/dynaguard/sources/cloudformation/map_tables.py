"""AWS::DynamoDB::Table and AWS::DynamoDB::GlobalTable -> ``Table`` (with every replica).

Defaults as in the DynamoDB API: no ``SSESpecification`` (or ``SSEEnabled: false``) is the AWS
owned key; ``SSEEnabled: true`` without ``KMSMasterKeyId`` is the AWS managed key; no
``BillingMode`` is PROVISIONED; a ``StreamSpecification`` enables the stream; PITR, TTL and
deletion protection are off unless set. A GlobalTable declares per-replica settings (key, PITR,
deletion protection, tags): each replica is judged (DDB.010/011), and the table-level facts hold
when all replicas agree (the stack's own region, one of them, is not known offline), else are
Unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dynaguard.model import (
    Encryption,
    Fact,
    Known,
    Pitr,
    PolicyDocument,
    Replica,
    SecondaryIndex,
    Stream,
    Table,
    Ttl,
    Unknown,
)
from dynaguard.sources.cloudformation.context import CfnContext
from dynaguard.sources.cloudformation.documents import policy_fact
from dynaguard.sources.cloudformation.resolve import STACK_REGION
from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.values import bool_fact, int_fact, ref_or_str_fact, str_fact

T = TypeVar("T")


def _encryption(
    sse: Block | None, key_holder: Block | None, ctx: CfnContext, origin_block: Block
) -> Fact[Encryption]:
    if sse is None:
        return Known(Encryption(kms=False), origin_block.origin)
    enabled = bool_fact(sse, "SSEEnabled", False)
    if isinstance(enabled, Unknown) or not enabled.value:
        return enabled if isinstance(enabled, Unknown) else Known(Encryption(False), sse.origin)
    if key_holder is None:
        return Known(Encryption(kms=True), sse.origin)
    key = ctx.key_ref(ref_or_str_fact(key_holder, "KMSMasterKeyId"))
    return key if isinstance(key, Unknown) else Known(Encryption(True, key.value), sse.origin)


def _pitr(block: Block) -> Fact[Pitr]:
    spec = block.block("PointInTimeRecoverySpecification")
    enabled = bool_fact(spec, "PointInTimeRecoveryEnabled", False)
    window = int_fact(spec, "RecoveryPeriodInDays", None)
    if isinstance(enabled, Unknown):
        return enabled
    if enabled.value and isinstance(window, Unknown):
        return window
    days = window.value if isinstance(window, Known) and enabled.value else None
    return Known(Pitr(enabled.value, days), spec.origin if spec else block.origin)


def _stream(block: Block) -> Fact[Stream]:
    spec = block.block("StreamSpecification")
    if spec is None:
        return Known(Stream(False), block.origin)
    view = str_fact(spec, "StreamViewType", None)
    return view if isinstance(view, Unknown) else Known(Stream(True, view.value), spec.origin)


def _ttl(block: Block) -> Fact[Ttl]:
    spec = block.block("TimeToLiveSpecification")
    enabled = bool_fact(spec, "Enabled", False)
    if isinstance(enabled, Unknown):
        return enabled
    attr = str_fact(spec, "AttributeName", None)
    name = attr.value if isinstance(attr, Known) else None
    return Known(Ttl("ENABLED" if enabled.value else "DISABLED", name), block.origin)


def _tags(block: Block) -> Fact[dict[str, str]]:
    raw = block.raw("Tags")
    if raw is None:
        return Known({}, block.origin)
    out = {}
    for tag in raw if isinstance(raw, list) else []:
        key, value = (
            tag.get("Key") if isinstance(tag, dict) else None,
            tag.get("Value") if isinstance(tag, dict) else None,
        )
        if not isinstance(key, str) or not isinstance(value, str | int | float | bool):
            hole = (
                value if isinstance(value, Unknown) else key if isinstance(key, Unknown) else None
            )
            why = hole.reason if hole else "unresolved"
            named = key if isinstance(key, str) else "a key"
            return Unknown(f"Tags: value of {named}: {why}", block.origin)
        out[key] = str(value)
    return Known(out, block.origin)


def _gsis(block: Block) -> Fact[tuple[SecondaryIndex, ...]]:
    out = []
    for gsi in block.blocks("GlobalSecondaryIndexes"):
        name = str_fact(gsi, "IndexName", None)
        if not isinstance(name, Known) or not name.value:
            return (
                name
                if isinstance(name, Unknown)
                else Unknown("GSI without IndexName", block.origin)
            )
        out.append(SecondaryIndex(name.value))
    return Known(tuple(out), block.origin)


def _billing(block: Block) -> Fact[str]:
    mode = str_fact(block, "BillingMode", "PROVISIONED")
    return mode if isinstance(mode, Unknown) else Known(mode.value or "PROVISIONED", mode.origin)


def _stream_policy(block: Block, ctx: CfnContext) -> Fact[PolicyDocument | None]:
    spec = block.block("StreamSpecification")
    return policy_fact(spec.block("ResourcePolicy") if spec else None, ctx, block)


def map_table(block: Block, ctx: CfnContext) -> Table:
    sse = block.block("SSESpecification")
    throughput = block.block("ProvisionedThroughput")
    read, write = (
        int_fact(throughput, "ReadCapacityUnits", None),
        int_fact(throughput, "WriteCapacityUnits", None),
    )
    return Table(
        name=ctx.table_name(block.address),
        account_id=ctx.declared.account_id,
        region=ctx.declared.region,
        origin=block.origin,
        status=Known("DECLARED", block.origin),
        billing_mode=_billing(block),
        read_capacity=read.value if isinstance(read, Known) else None,
        write_capacity=write.value if isinstance(write, Known) else None,
        on_demand_max=_on_demand(block),
        gsis=_gsis(block),
        encryption=_encryption(sse, sse, ctx, block),
        deletion_protection=bool_fact(block, "DeletionProtectionEnabled", False),
        stream=_stream(block),
        pitr=_pitr(block),
        ttl=_ttl(block),
        tags=_tags(block),
        resource_policy=policy_fact(block.block("ResourcePolicy"), ctx, block),
        stream_policy=_stream_policy(block, ctx),
        replicas=Known((), block.origin),
        suppressions=block.suppressions,
        address=block.address,
    )


def _on_demand(block: Block) -> dict[str, int]:
    spec = block.block("OnDemandThroughput")
    out = {}
    for key in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):
        value = int_fact(spec, key, None)
        if isinstance(value, Known) and value.value is not None:
            out[key] = value.value
    return out


def agreed_by_all(facts: Sequence[Fact[T]], what: str, origin_block: Block) -> Fact[T]:
    """One value when every replica agrees; Unknown when they differ or one is Unknown."""
    if not facts:
        return Unknown(f"{what}: the global table declares no replica", origin_block.origin)
    hole = next((f for f in facts if isinstance(f, Unknown)), None)
    if hole is not None:
        return hole
    values = [f.value for f in facts if isinstance(f, Known)]
    if all(v == values[0] for v in values):
        return facts[0]
    return Unknown(
        f"{what} differs between replicas and the stack's region is not known offline "
        "(see the per-replica findings)",
        origin_block.origin,
    )


def map_global_table(block: Block, ctx: CfnContext) -> Table:
    sse = block.block("SSESpecification")
    replicas = block.blocks("Replicas")
    reps = [_replica(block, r, sse, ctx) for r in replicas]
    # the replica in the stack's own region (Region: !Ref AWS::Region) is the table itself
    own = next((i for i, r in enumerate(replicas) if r.raw("Region") is STACK_REGION), None)

    def per(read: Callable[[Block], Fact[Any]]) -> list[Fact[Any]]:
        return [read(r) for r in replicas]

    def agreed(facts: Sequence[Fact[T]], what: str, origin_block: Block) -> Fact[T]:
        return facts[own] if own is not None else agreed_by_all(facts, what, origin_block)

    return Table(
        name=ctx.table_name(block.address),
        account_id=ctx.declared.account_id,
        region=ctx.declared.region,
        origin=block.origin,
        status=Known("DECLARED", block.origin),
        billing_mode=_billing(block),
        gsis=_gsis(block),
        encryption=agreed([r.encryption for r in reps], "encryption", block),
        deletion_protection=agreed(
            per(lambda r: bool_fact(r, "DeletionProtectionEnabled", False)),
            "deletion protection",
            block,
        ),
        stream=_stream(block),
        pitr=agreed([r.pitr for r in reps], "point-in-time recovery", block),
        ttl=_ttl(block),
        tags=agreed(per(_tags), "tags", block),
        resource_policy=agreed(
            per(lambda r: policy_fact(r.block("ResourcePolicy"), ctx, block)),
            "resource policy",
            block,
        ),
        stream_policy=Known(None, block.origin),
        replicas=Known(tuple(reps), block.origin),
        global_table_version="2019.11.21",
        suppressions=block.suppressions,
        address=block.address,
    )


def _replica(table: Block, rep: Block, sse: Block | None, ctx: CfnContext) -> Replica:
    region = str_fact(rep, "Region", None)
    region_name = region.value if isinstance(region, Known) and region.value else "unknown"
    enc = _encryption(sse, rep.block("SSESpecification"), ctx, table)
    pitr = _pitr(rep)
    if rep.raw("Region") is STACK_REGION:  # the replica in the stack's own region: its
        region_name = ctx.declared.region  # settings are declared, whatever that region is
    elif isinstance(region, Unknown):
        enc = pitr = region
    return Replica(
        table.address, region_name, None, Known("DECLARED", rep.origin), enc, pitr, rep.origin
    )
