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
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.reader import RegionReader, page_items

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
    pages = reader.pages(DDB, "ListTables")
    return [name for name in page_items(pages, "TableNames") if selects(name)]


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
    description: Fact[Mapping[str, Any]] | None = None
    if facts & NEEDS_DESCRIBE:
        description = (
            Known(described, reader.origin(DDB, "DescribeTable"))
            if described is not None
            else reader.fact(lambda: describe_table(reader, name), DDB, "DescribeTable")
        )
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
        changes["stream_policy"] = _stream_policy(reader, table, description)
    return TableRead(dataclasses.replace(table, **changes), replicas)


def describe_table(reader: RegionReader, name: str) -> Mapping[str, Any]:
    """DescribeTable's ``Table``. Raises ReadError."""
    table: Mapping[str, Any] = reader.call(DDB, "DescribeTable", TableName=name)["Table"]
    return table


def apply_description(table: Table, description: Fact[Mapping[str, Any]]) -> Table:
    """Fill every DescribeTable-derived field; all Unknown when the describe failed."""
    if isinstance(description, Unknown):
        failed: dict[str, Any] = dict.fromkeys(
            ("status", "billing_mode", "gsis", "encryption", "deletion_protection", "stream"),
            description,
        )
        return dataclasses.replace(table, **failed)
    desc, origin = description.value, description.origin
    billing = (desc.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    throughput = desc.get("ProvisionedThroughput") or {}
    provisioned = billing == "PROVISIONED"
    stream = _stream(desc)
    return dataclasses.replace(
        table,
        arn=desc.get("TableArn") or table.arn,
        status=Known(str(desc.get("TableStatus", "UNKNOWN")), origin),
        billing_mode=Known(billing, origin),
        read_capacity=throughput.get("ReadCapacityUnits") if provisioned else None,
        write_capacity=throughput.get("WriteCapacityUnits") if provisioned else None,
        on_demand_max=_on_demand_max(desc.get("OnDemandThroughput") or {}),
        gsis=Known(_gsis(desc, provisioned), origin),
        encryption=Known(encryption_of(desc), origin),
        deletion_protection=Known(bool(desc.get("DeletionProtectionEnabled", False)), origin),
        stream=Known(stream, origin),
        stream_arn=desc.get("LatestStreamArn") if stream.enabled else None,
        global_table_version=desc.get("GlobalTableVersion"),
    )


def encryption_of(desc: Mapping[str, Any]) -> Encryption:
    """SSE of a table or replica description. No SSEDescription is the AWS owned key.

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
    """
    sse = desc.get("SSEDescription")
    if not sse:
        return Encryption(kms=False)
    status = sse.get("Status")
    kms = sse.get("SSEType") == "KMS" and status != "DISABLED"
    return Encryption(kms=kms, key_ref=sse.get("KMSMasterKeyArn") if kms else None, status=status)


def _stream(desc: Mapping[str, Any]) -> Stream:
    spec = desc.get("StreamSpecification") or {}
    enabled = bool(spec.get("StreamEnabled", False))
    return Stream(enabled=enabled, view_type=spec.get("StreamViewType") if enabled else None)


def _on_demand_max(throughput: Mapping[str, Any]) -> dict[str, int]:
    """OnDemandThroughput maxima that are set (-1 means no maximum)."""
    return {k: int(v) for k, v in throughput.items() if isinstance(v, int) and v > 0}


def _gsis(desc: Mapping[str, Any], provisioned: bool) -> tuple[SecondaryIndex, ...]:
    out = []
    for index in desc.get("GlobalSecondaryIndexes") or ():
        throughput = index.get("ProvisionedThroughput") or {}
        out.append(
            SecondaryIndex(
                name=index["IndexName"],
                read_capacity=throughput.get("ReadCapacityUnits") if provisioned else None,
                write_capacity=throughput.get("WriteCapacityUnits") if provisioned else None,
            )
        )
    return tuple(out)


def _replica_refs(description: Fact[Mapping[str, Any]]) -> Fact[tuple[ReplicaRef, ...]]:
    if isinstance(description, Unknown):
        return description
    refs = tuple(
        ReplicaRef(region=r["RegionName"], status=r.get("ReplicaStatus"))
        for r in description.value.get("Replicas") or ()
    )
    return Known(refs, description.origin)


def read_pitr(reader: RegionReader, name: str) -> Fact[Pitr]:
    """DescribeContinuousBackups -> Pitr, with AWS's 35-day default window when enabled."""

    def read() -> Pitr:
        response = reader.call(DDB, "DescribeContinuousBackups", TableName=name)
        description = response.get("ContinuousBackupsDescription") or {}
        pitr = description.get("PointInTimeRecoveryDescription") or {}
        enabled = pitr.get("PointInTimeRecoveryStatus") == "ENABLED"
        if not enabled:
            return Pitr(enabled=False)
        return Pitr(
            enabled=True, window_days=int(pitr.get("RecoveryPeriodInDays") or DEFAULT_PITR_DAYS)
        )

    return reader.fact(read, DDB, "DescribeContinuousBackups")


def _read_ttl(reader: RegionReader, name: str) -> Ttl:
    response = reader.call(DDB, "DescribeTimeToLive", TableName=name)
    ttl = response.get("TimeToLiveDescription") or {}
    return Ttl(status=ttl.get("TimeToLiveStatus", "DISABLED"), attribute=ttl.get("AttributeName"))


def _read_tags(reader: RegionReader, arn: str) -> Mapping[str, str]:
    pages = reader.pages(DDB, "ListTagsOfResource", ResourceArn=arn)
    return {tag["Key"]: tag["Value"] for tag in page_items(pages, "Tags")}


def read_resource_policy(reader: RegionReader, arn: str) -> Fact[PolicyDocument | None]:
    """GetResourcePolicy; no policy (PolicyNotFoundException) is Known(None).

    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html
    """
    origin = reader.origin(DDB, "GetResourcePolicy")
    try:
        response = reader.call(DDB, "GetResourcePolicy", ResourceArn=arn)
    except ReadError as err:
        if err.code == "PolicyNotFoundException":
            return Known(None, origin)
        return err.unknown()
    return parse_policy(response.get("Policy") or "", response.get("RevisionId"), origin)


def parse_policy(raw: str, revision_id: str | None, origin: Origin) -> Fact[PolicyDocument | None]:
    """A policy document's statements; unparseable JSON is Unknown, never an empty policy."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        return Unknown(f"policy is not valid JSON: {exc}", origin)
    statements = document.get("Statement", []) if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return Unknown("policy has no Statement list", origin)
    return Known(PolicyDocument(tuple(statements), revision_id, raw), origin)


def _stream_policy(
    reader: RegionReader, table: Table, description: Fact[Mapping[str, Any]] | None
) -> Fact[PolicyDocument | None]:
    if isinstance(description, Unknown):
        return description  # we cannot tell whether there is a stream
    if table.stream_arn is None:
        return Known(None, reader.origin(DDB, "DescribeTable"))  # no stream, no stream policy
    return read_resource_policy(reader, table.stream_arn)
