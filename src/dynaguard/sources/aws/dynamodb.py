"""DynamoDB tables: discovery, then per table only the reads whose facts were requested.

Per-table budget (CONTROLS.md): DescribeTable [table.describe, and whatever needs its output],
DescribeContinuousBackups [table.pitr], DescribeTimeToLive [table.ttl], ListTagsOfResource
[table.tags], GetResourcePolicy on the table and, when streams are on, on the stream
[table.resource_policy]. AWS defaults are applied here, once: no SSEDescription is the AWS owned
key, no BillingModeSummary is PROVISIONED, an enabled PITR without a period has 35 days.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.model import (
    Encryption,
    Fact,
    Known,
    Origin,
    Pitr,
    PolicyDocument,
    SecondaryIndex,
    Stream,
    Table,
    Ttl,
    Unknown,
)
from dynaguard.model.aws_rules import DEFAULT_PITR_DAYS
from dynaguard.sanitize import short_repr
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import (
    Body,
    MalformedResponse,
    items,
    known_or_unknown,
    text_items,
)

DDB = "dynamodb"
# Facts whose reads need DescribeTable's output (stream ARN, key, replica list).
NEEDS_DESCRIBE = frozenset(
    {"table.describe", "table.resource_policy", "replicas", "kms.keys", "kms.rotation"}
)


@dataclass(frozen=True, slots=True)
class ReplicaRef:
    """A replica as the table's own DescribeTable lists it (``Replicas[]``)."""

    region: str
    status: str | None


@dataclass(frozen=True, slots=True)
class TableRead:
    """A table as read, plus the replica list the replica collector needs (not in the model)."""

    table: Table
    replicas: Fact[tuple[ReplicaRef, ...]]


def list_table_names(reader: RegionReader, selects: Callable[[str], bool]) -> list[str]:
    """ListTables (100 a page), filtered by the scan's name filters. Raises ReadError."""
    pages = reader.read_pages(DDB, "ListTables")
    return [name for name in text_items(pages, "TableNames") if selects(name)]


def table_arn(reader: RegionReader, name: str) -> str:
    """The table ARN, built locally so tags and policies need no DescribeTable."""
    partition = reader.session.partition(reader.region)
    return f"arn:{partition}:dynamodb:{reader.region}:{reader.account_id}:table/{name}"


def collect_table(
    reader: RegionReader,
    name: str,
    facts: frozenset[str],
    described: Mapping[str, Any] | None = None,
) -> TableRead:
    """Read one table, making only the calls that ``facts`` need (``described``: DescribeTable's
    ``Table`` when the caller already has it, so it is not called again)."""
    table = Table(
        name=name,
        account_id=reader.account_id,
        region=reader.region,
        arn=table_arn(reader, name),
        origin=reader.origin(DDB, "ListTables"),
    )
    replicas: Fact[tuple[ReplicaRef, ...]] = Unknown("not described")
    description: Fact[Body] | None = None
    if facts & NEEDS_DESCRIBE:
        if described is not None:
            given = described
            description = reader.fact(
                lambda: reader.body(given, DDB, "DescribeTable", "Table"), DDB, "DescribeTable"
            )
        else:
            description = reader.fact(lambda: describe_table(reader, name), DDB, "DescribeTable")
        table = apply_description(table, description)
        replicas = _replica_refs(description)
    changes: dict[str, Any] = {}
    if "table.pitr" in facts:
        changes["pitr"] = read_pitr(reader, name)
    if "table.ttl" in facts:
        changes["ttl"] = reader.fact(lambda: _read_ttl(reader, name), DDB, "DescribeTimeToLive")
    if "table.tags" in facts:
        changes["tags"] = reader.fact(
            lambda: _read_tags(reader, table.arn or ""), DDB, "ListTagsOfResource"
        )
    if "table.resource_policy" in facts:
        changes["resource_policy"] = read_resource_policy(reader, table.arn or "")
        changes["stream_policy"] = _stream_policy(reader, table)
    return TableRead(dataclasses.replace(table, **changes), replicas)


def describe_table(reader: RegionReader, name: str) -> Body:
    """DescribeTable's ``Table``. Raises ReadError (a MalformedResponse without one)."""
    return reader.read(DDB, "DescribeTable", TableName=name).child("Table")


DESCRIBED_FIELDS = ("status", "billing_mode", "gsis", "encryption", "deletion_protection", "stream")


def apply_description(table: Table, description: Fact[Body]) -> Table:
    """Fill every DescribeTable-derived field; all Unknown when the describe failed, or when
    the fields that are not facts of their own (ARN, capacity) cannot be read. Otherwise each
    fact is read on its own: a malformed ``SSEDescription`` makes only the encryption Unknown."""
    if isinstance(description, Known):
        try:
            table = _plain_fields(table, description.value)
        except MalformedResponse as err:
            description = Unknown(err.reason, description.origin)
    if isinstance(description, Unknown):
        failed: dict[str, Any] = dict.fromkeys(DESCRIBED_FIELDS, description)
        return dataclasses.replace(table, **failed)
    desc, origin = description.value, description.origin
    billing = known_or_unknown(lambda: billing_mode_of(desc), origin)
    stream = known_or_unknown(lambda: _stream(desc), origin)
    enabled = isinstance(stream, Known) and stream.value.enabled
    return dataclasses.replace(
        table,
        status=known_or_unknown(lambda: desc.text("TableStatus"), origin),
        billing_mode=billing,
        gsis=known_or_unknown(lambda: _gsis(desc, billing_mode_of(desc) == "PROVISIONED"), origin),
        encryption=known_or_unknown(lambda: encryption_of(desc), origin),
        deletion_protection=known_or_unknown(
            lambda: bool(desc.opt_flag("DeletionProtectionEnabled")), origin
        ),
        stream=stream,
        stream_arn=table.stream_arn if enabled else None,
    )


def _plain_fields(table: Table, desc: Body) -> Table:
    """The description's fields that the model holds as plain values. Raises
    MalformedResponse."""
    provisioned = billing_mode_of(desc) == "PROVISIONED"
    throughput = desc.opt_child("ProvisionedThroughput")
    on_demand = desc.int_map("OnDemandThroughput")
    return dataclasses.replace(
        table,
        arn=desc.opt_text("TableArn") or table.arn,
        read_capacity=_units(throughput, "ReadCapacityUnits") if provisioned else None,
        write_capacity=_units(throughput, "WriteCapacityUnits") if provisioned else None,
        on_demand_max={k: v for k, v in on_demand.items() if v > 0},  # -1: no maximum
        size_bytes=_size(desc.data.get("TableSizeBytes")),
        stream_arn=desc.opt_text("LatestStreamArn"),
        global_table_version=desc.opt_text("GlobalTableVersion"),
    )


def _units(throughput: Body | None, key: str) -> int | None:
    return throughput.opt_integer(key) if throughput is not None else None


def billing_mode_of(desc: Body) -> str:
    """No BillingModeSummary is PROVISIONED (tables created before on-demand existed)."""
    summary = desc.opt_child("BillingModeSummary")
    mode = summary.opt_text("BillingMode") if summary is not None else None
    return mode or "PROVISIONED"


def encryption_of(desc: Body) -> Encryption:
    """SSE of a table or replica description. No SSEDescription is the AWS owned key.

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
    """
    sse = desc.opt_child("SSEDescription")
    if sse is None:
        return Encryption(kms=False)
    status = sse.opt_text("Status")
    kms = sse.opt_text("SSEType") == "KMS" and status != "DISABLED"
    key = sse.opt_text("KMSMasterKeyArn") if kms else None
    return Encryption(kms=kms, key_ref=key, status=status)


def _stream(desc: Body) -> Stream:
    spec = desc.opt_child("StreamSpecification")
    enabled = spec is not None and spec.flag("StreamEnabled")
    view = spec.opt_text("StreamViewType") if spec is not None and enabled else None
    return Stream(enabled=enabled, view_type=view)


def _gsis(desc: Body, provisioned: bool) -> tuple[SecondaryIndex, ...]:
    out = []
    for index in desc.opt_children("GlobalSecondaryIndexes"):
        throughput = index.opt_child("ProvisionedThroughput")
        out.append(
            SecondaryIndex(
                name=index.text("IndexName"),
                read_capacity=_units(throughput, "ReadCapacityUnits") if provisioned else None,
                write_capacity=_units(throughput, "WriteCapacityUnits") if provisioned else None,
            )
        )
    return tuple(out)


def _replica_refs(description: Fact[Body]) -> Fact[tuple[ReplicaRef, ...]]:
    if isinstance(description, Unknown):
        return description
    desc = description.value
    return known_or_unknown(
        lambda: tuple(
            ReplicaRef(region=r.text("RegionName"), status=r.opt_text("ReplicaStatus"))
            for r in desc.opt_children("Replicas")
        ),
        description.origin,
    )


def read_pitr(reader: RegionReader, name: str) -> Fact[Pitr]:
    """DescribeContinuousBackups -> Pitr, with AWS's 35-day default window when enabled."""

    def read() -> Pitr:
        body = reader.read(DDB, "DescribeContinuousBackups", TableName=name)
        description = body.child("ContinuousBackupsDescription")
        pitr = description.child("PointInTimeRecoveryDescription")
        if pitr.text("PointInTimeRecoveryStatus") != "ENABLED":
            return Pitr(enabled=False)
        days = pitr.opt_integer("RecoveryPeriodInDays")
        return Pitr(enabled=True, window_days=days or DEFAULT_PITR_DAYS)

    return reader.fact(read, DDB, "DescribeContinuousBackups")


def _read_ttl(reader: RegionReader, name: str) -> Ttl:
    ttl = reader.read(DDB, "DescribeTimeToLive", TableName=name).child("TimeToLiveDescription")
    return Ttl(status=ttl.text("TimeToLiveStatus"), attribute=ttl.opt_text("AttributeName"))


def _read_tags(reader: RegionReader, arn: str) -> Mapping[str, str]:
    pages = reader.read_pages(DDB, "ListTagsOfResource", ResourceArn=arn)
    return {tag.text("Key"): tag.text("Value") for tag in items(pages, "Tags")}


def read_resource_policy(reader: RegionReader, arn: str) -> Fact[PolicyDocument | None]:
    """GetResourcePolicy; no policy (PolicyNotFoundException) is Known(None).

    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html
    """
    origin = reader.origin(DDB, "GetResourcePolicy")
    try:
        body = reader.read(DDB, "GetResourcePolicy", ResourceArn=arn)
        policy, revision = body.text("Policy"), body.opt_text("RevisionId")
    except ReadError as err:
        if err.code == "PolicyNotFoundException":
            return Known(None, origin)
        return err.unknown()
    return parse_policy(policy, revision, origin)


def parse_policy(raw: str, revision_id: str | None, origin: Origin) -> Fact[PolicyDocument | None]:
    """A policy document's statements; unparseable JSON is Unknown, never an empty policy."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return Unknown(f"policy is not valid JSON: {short_repr(str(exc), 120, False)}", origin)
    statements = document.get("Statement", []) if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return Unknown("policy has no Statement list", origin)
    return Known(PolicyDocument(tuple(statements), revision_id, raw), origin)


def _stream_policy(reader: RegionReader, table: Table) -> Fact[PolicyDocument | None]:
    if isinstance(table.stream, Unknown):
        return table.stream  # we cannot tell whether there is a stream
    if table.stream_arn is None:
        return Known(None, reader.origin(DDB, "DescribeTable"))  # no stream, no stream policy
    return read_resource_policy(reader, table.stream_arn)


def _size(value: Any) -> int | None:
    """TableSizeBytes when AWS reported a sane one (a cost estimate, never a verdict)."""
    return (
        int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else None
    )
