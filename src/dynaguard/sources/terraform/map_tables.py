"""aws_dynamodb_table (with ``replica`` blocks), aws_dynamodb_table_replica,
aws_dynamodb_global_table (legacy 2017) and aws_dynamodb_resource_policy -> ``Table``.

AWS defaults, from the provider documentation and DynamoDB's API: no ``server_side_encryption``
block (or ``enabled = false``) is the AWS owned key; enabled without ``kms_key_arn`` is the AWS
managed key; no ``billing_mode`` is PROVISIONED; PITR, streams, TTL and deletion protection are
off unless set; a ``replica`` without ``kms_key_arn`` uses the table's kind of key (the AWS
managed key when the table uses KMS) and has PITR off unless ``point_in_time_recovery = true``.
"""

from __future__ import annotations

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
from dynaguard.sources.iac.blocks import Block, Ref
from dynaguard.sources.iac.values import (
    bool_fact,
    int_fact,
    ref_or_str_fact,
    str_fact,
    str_map_fact,
)
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.legacy_global import legacy_global_tables
from dynaguard.sources.terraform.policies import policy_document


def table_encryption(block: Block, ctx: TfContext) -> Fact[Encryption]:
    sse = block.block("server_side_encryption")
    if sse is None:
        return Known(Encryption(kms=False), block.origin)
    enabled = bool_fact(sse, "enabled", False)
    if isinstance(enabled, Unknown) or not enabled.value:
        return enabled if isinstance(enabled, Unknown) else Known(Encryption(False), sse.origin)
    key = ctx.key_ref(ref_or_str_fact(sse, "kms_key_arn"))
    if isinstance(key, Unknown):
        return key
    return Known(Encryption(kms=True, key_ref=key.value), sse.origin)


def _pitr(block: Block) -> Fact[Pitr]:
    spec = block.block("point_in_time_recovery")
    enabled = bool_fact(spec, "enabled", False)
    window = int_fact(spec, "recovery_period_in_days", None)
    if isinstance(enabled, Unknown):
        return enabled
    if isinstance(window, Unknown):
        return window if enabled.value else Known(Pitr(False), window.origin)
    origin = spec.origin if spec else block.origin
    return Known(Pitr(enabled.value, window.value if enabled.value else None), origin)


def _stream(block: Block) -> Fact[Stream]:
    enabled = bool_fact(block, "stream_enabled", False)
    view = str_fact(block, "stream_view_type", None)
    if isinstance(enabled, Unknown):
        return enabled
    if enabled.value and isinstance(view, Unknown):
        return view
    return Known(
        Stream(enabled.value, view.value if isinstance(view, Known) else None), block.origin
    )


def _ttl(block: Block) -> Fact[Ttl]:
    spec = block.block("ttl")
    enabled = bool_fact(spec, "enabled", False)
    attribute = str_fact(spec, "attribute_name", None)
    if isinstance(enabled, Unknown):
        return enabled
    name = attribute.value if isinstance(attribute, Known) else None
    status = "ENABLED" if enabled.value else "DISABLED"
    return Known(Ttl(status, name), spec.origin if spec else block.origin)


def _gsis(block: Block) -> Fact[tuple[SecondaryIndex, ...]]:
    out = []
    for gsi in block.blocks("global_secondary_index"):
        name = str_fact(gsi, "name", None)
        if isinstance(name, Unknown) or name.value is None:
            return name if isinstance(name, Unknown) else Unknown("GSI without a name", gsi.origin)
        read, write = int_fact(gsi, "read_capacity", None), int_fact(gsi, "write_capacity", None)
        out.append(
            SecondaryIndex(
                name.value,
                read.value if isinstance(read, Known) else None,
                write.value if isinstance(write, Known) else None,
            )
        )
    return Known(tuple(out), block.origin)


def _tags(block: Block, ctx: TfContext) -> Fact[dict[str, str]]:
    tags = str_map_fact(block, "tags")
    if isinstance(tags, Unknown):
        return tags
    merged = {**ctx.default_tags.get(ctx.provider_name(block), {}), **tags.value}
    return Known(merged, block.origin)


def _on_demand_max(block: Block) -> dict[str, int]:
    spec = block.block("on_demand_throughput")
    out = {}
    for attr, key in (
        ("max_read_request_units", "MaxReadRequestUnits"),
        ("max_write_request_units", "MaxWriteRequestUnits"),
    ):
        value = int_fact(spec, attr, None)
        if isinstance(value, Known) and value.value is not None:
            out[key] = value.value
    return out


def replica_encryption(
    key_value: Fact[Ref | str | None], table_encryption: Fact[Encryption], ctx: TfContext
) -> Fact[Encryption]:
    """A replica's key: its own ``kms_key_arn``, else the table's kind of key."""
    if isinstance(key_value, Known) and key_value.value is None:
        if isinstance(table_encryption, Unknown):
            return table_encryption
        return Known(Encryption(kms=table_encryption.value.kms), key_value.origin)
    key = ctx.key_ref(key_value)
    if isinstance(key, Unknown):
        return key
    return Known(Encryption(kms=True, key_ref=key.value), key_value.origin)


def _replica_blocks(
    block: Block, address: str, enc: Fact[Encryption], ctx: TfContext
) -> list[Replica]:
    out = []
    for rep in block.blocks("replica"):
        region = str_fact(rep, "region_name", None)
        region_name = region.value if isinstance(region, Known) and region.value else "unknown"
        pitr = bool_fact(rep, "point_in_time_recovery", False)
        encryption = replica_encryption(ref_or_str_fact(rep, "kms_key_arn"), enc, ctx)
        if isinstance(region, Unknown):
            encryption = pitr = region
        out.append(
            Replica(
                table_name=address,
                region=region_name,
                arn=None,
                status=Known("DECLARED", rep.origin),
                encryption=encryption,
                pitr=Known(Pitr(pitr.value), rep.origin) if isinstance(pitr, Known) else pitr,
                origin=rep.origin,
            )
        )
    return out


def _table_replica_resources(
    ctx: TfContext, tables: dict[str, Fact[Encryption]]
) -> dict[str, list[Replica]]:
    """aws_dynamodb_table_replica resources, keyed by the address of their table."""
    out: dict[str, list[Replica]] = {}
    for block in ctx.of_type("aws_dynamodb_table_replica"):
        target = block.raw("global_table_arn")
        if not isinstance(target, Ref) or target.address not in tables:
            continue  # a table outside the scanned code: nothing here to attach it to
        pitr = bool_fact(block, "point_in_time_recovery", False)
        enc = replica_encryption(ref_or_str_fact(block, "kms_key_arn"), tables[target.address], ctx)
        out.setdefault(target.address, []).append(
            Replica(
                table_name=target.address,
                region=ctx.region_of(block),
                arn=None,
                status=Known("DECLARED", block.origin),
                encryption=enc,
                pitr=Known(Pitr(pitr.value), block.origin) if isinstance(pitr, Known) else pitr,
                origin=block.origin,
            )
        )
    return out


def _policies(ctx: TfContext) -> dict[tuple[str, str], Fact[PolicyDocument | None]]:
    """aws_dynamodb_resource_policy by (table address, "table" | "stream")."""
    out: dict[tuple[str, str], Fact[PolicyDocument | None]] = {}
    for block in ctx.of_type("aws_dynamodb_resource_policy"):
        target = block.raw("resource_arn")
        if isinstance(target, Ref):
            kind = "stream" if (target.attribute or "").startswith("stream") else "table"
            out[(target.address, kind)] = policy_document(block, "policy", ctx)
    return out


def map_tables(ctx: TfContext) -> list[Table]:
    blocks = ctx.of_type("aws_dynamodb_table")
    encryption = {b.address: table_encryption(b, ctx) for b in blocks}
    extra_replicas = _table_replica_resources(ctx, encryption)
    policies = _policies(ctx)
    tables = [
        _table(b, encryption[b.address], extra_replicas.get(b.address, []), policies, ctx)
        for b in blocks
    ]
    return legacy_global_tables(tables, ctx)


def _table(
    block: Block,
    enc: Fact[Encryption],
    extra: list[Replica],
    policies: dict[tuple[str, str], Fact[PolicyDocument | None]],
    ctx: TfContext,
) -> Table:
    name = str_fact(block, "name", None)
    table_name = name.value if isinstance(name, Known) and name.value else block.address
    inline = block.fact("resource_policy")
    table_policy = policies.get((block.address, "table"), Known(None, block.origin))
    if inline is not None:
        table_policy = policy_document(block, "resource_policy", ctx)
    read = int_fact(block, "read_capacity", None)
    write = int_fact(block, "write_capacity", None)
    return Table(
        name=table_name,
        account_id=ctx.declared.account_id,
        region=ctx.region_of(block),
        origin=block.origin,
        status=Known("DECLARED", block.origin),
        billing_mode=str_fact(block, "billing_mode", "PROVISIONED"),
        read_capacity=read.value if isinstance(read, Known) else None,
        write_capacity=write.value if isinstance(write, Known) else None,
        on_demand_max=_on_demand_max(block),
        gsis=_gsis(block),
        encryption=enc,
        deletion_protection=bool_fact(block, "deletion_protection_enabled", False),
        stream=_stream(block),
        pitr=_pitr(block),
        ttl=_ttl(block),
        tags=_tags(block, ctx),
        resource_policy=table_policy,
        stream_policy=policies.get((block.address, "stream"), Known(None, block.origin)),
        replicas=Known(
            tuple(_replica_blocks(block, block.address, enc, ctx) + extra), block.origin
        ),
        suppressions=block.suppressions,
        address=block.address,
    )
