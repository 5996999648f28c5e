"""The normalized model of what dynaguard audits. Frozen dataclasses, no I/O.

Sources (AWS, Terraform, CloudFormation, provisioning specs) build these, applying AWS defaults
once; controls read them. A resource's ``origin`` says where it was declared or read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dynaguard.model.facts import NOT_COLLECTED, Fact, Origin

AWS_MANAGED_DYNAMODB_ALIAS = "alias/aws/dynamodb"
# Code has no stream ARN yet (its label is a creation timestamp): every IaC source renders a
# table's stream ARN as ``<table ARN>/stream/declared``, and DDB.006 judges the stream there.
IAC_STREAM_LABEL = "declared"


def is_aws_managed_dynamodb_key(key_ref: str | None) -> bool:
    """Is ``key_ref`` DynamoDB's AWS managed key (``aws/dynamodb``) by name?

    None (SSE KMS without a key, as AWS reports it and as IaC declares it), ``alias/aws/dynamodb``,
    the bare ``aws/dynamodb`` some IaC writes, and the alias ARN in any partition
    (``arn:aws-cn:kms:REGION:ACCOUNT:alias/aws/dynamodb``). A key id or key ARN can still be the
    AWS managed key: only ``kms:DescribeKey`` (``KeyManager``) tells, so callers holding a
    described key ask that first.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
    """
    if key_ref is None:
        return True
    if key_ref.startswith("arn:"):
        parts = key_ref.split(":", 5)
        return len(parts) == 6 and parts[2] == "kms" and parts[5] == AWS_MANAGED_DYNAMODB_ALIAS
    return key_ref in (AWS_MANAGED_DYNAMODB_ALIAS, "aws/dynamodb")


class KeyManager(StrEnum):
    AWS = "AWS"
    CUSTOMER = "CUSTOMER"


@dataclass(frozen=True, slots=True)
class Encryption:
    """Server-side encryption of a table or replica.

    ``kms`` False means the AWS owned key (DynamoDB's default), and so does an SSE status of
    DISABLED (the source sets ``kms`` False for it). With ``kms`` True, ``key_ref`` is
    the key ARN, id or alias the table uses; None means the AWS managed key (aws/dynamodb).
    ``status`` is the SSE status as AWS reports it (ENABLED, UPDATING, ...), when known.
    """

    kms: bool
    key_ref: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Pitr:
    enabled: bool
    window_days: int | None = None


@dataclass(frozen=True, slots=True)
class Stream:
    enabled: bool
    view_type: str | None = None


@dataclass(frozen=True, slots=True)
class Ttl:
    status: str  # ENABLED | DISABLED | ENABLING | DISABLING
    attribute: str | None = None


@dataclass(frozen=True, slots=True)
class SecondaryIndex:
    name: str
    read_capacity: int | None = None
    write_capacity: int | None = None


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A parsed IAM-style policy document with the revision AWS gave it, when live.

    ``parse_error`` is set by a source that read a document it could not parse (invalid JSON,
    an unresolvable IaC expression): controls then judge it UNKNOWN, never PASS.
    """

    statements: tuple[Mapping[str, Any], ...]
    revision_id: str | None = None
    raw: str | None = None
    parse_error: str | None = None


@dataclass(frozen=True, slots=True)
class Replica:
    """One replica of a global table, as described in its own region."""

    table_name: str
    region: str
    arn: str | None
    status: Fact[str]
    encryption: Fact[Encryption]
    pitr: Fact[Pitr]
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A DynamoDB table. Defaults (owned key, PROVISIONED) are already applied by the source."""

    name: str
    account_id: str
    region: str
    arn: str | None = None
    origin: Origin | None = None
    status: Fact[str] = NOT_COLLECTED
    billing_mode: Fact[str] = NOT_COLLECTED  # PROVISIONED | PAY_PER_REQUEST
    read_capacity: int | None = None
    write_capacity: int | None = None
    on_demand_max: Mapping[str, int] = field(default_factory=dict)
    gsis: Fact[tuple[SecondaryIndex, ...]] = NOT_COLLECTED
    encryption: Fact[Encryption] = NOT_COLLECTED
    deletion_protection: Fact[bool] = NOT_COLLECTED
    stream: Fact[Stream] = NOT_COLLECTED
    stream_arn: str | None = None
    pitr: Fact[Pitr] = NOT_COLLECTED
    ttl: Fact[Ttl] = NOT_COLLECTED
    tags: Fact[Mapping[str, str]] = NOT_COLLECTED
    resource_policy: Fact[PolicyDocument | None] = NOT_COLLECTED
    stream_policy: Fact[PolicyDocument | None] = NOT_COLLECTED
    replicas: Fact[tuple[Replica, ...]] = NOT_COLLECTED
    global_table_version: str | None = None
    size_bytes: int | None = None  # DescribeTable TableSizeBytes (updated about every 6 hours)
    suppressions: tuple[tuple[str, str], ...] = ()  # inline (control_id, reason) from code
    # Infrastructure code: the resource's address (aws_dynamodb_table.orders, or the
    # CloudFormation logical id), used as the finding's resource_id; ``name`` stays the table
    # name that auto scaling resource ids and ARNs use.
    address: str | None = None


@dataclass(frozen=True, slots=True)
class DaxCluster:
    name: str
    account_id: str
    region: str
    arn: str | None = None
    origin: Origin | None = None
    status: Fact[str] = NOT_COLLECTED
    sse_enabled: Fact[bool] = NOT_COLLECTED
    endpoint_encryption: Fact[str] = NOT_COLLECTED  # NONE | TLS
    node_azs: Fact[tuple[str, ...]] = NOT_COLLECTED  # one entry per node
    replication_factor: Fact[int] = NOT_COLLECTED
    suppressions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ScalableTarget:
    resource_id: str  # table/NAME or table/NAME/index/IDX
    dimension: str  # dynamodb:table:ReadCapacityUnits, ...
    min_capacity: int | None = None
    max_capacity: int | None = None


@dataclass(frozen=True, slots=True)
class ScalingPolicy:
    resource_id: str
    dimension: str
    policy_type: str  # TargetTrackingScaling | StepScaling
    target_value: float | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Scaling:
    """Application Auto Scaling state for DynamoDB in one region."""

    targets: tuple[ScalableTarget, ...] = ()
    policies: tuple[ScalingPolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class TagCondition:
    operator: str  # STRINGEQUALS | STRINGLIKE | STRINGNOTEQUALS | STRINGNOTLIKE
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class BackupSelection:
    """One AWS Backup selection (resource assignment) of a backup plan."""

    plan_name: str
    selection_name: str
    plan_id: str | None = None
    selection_id: str | None = None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    list_of_tags: tuple[TagCondition, ...] = ()  # OR-ed
    conditions: tuple[TagCondition, ...] = ()  # AND-ed
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class BackupRegionSettings:
    """AWS Backup's settings for DynamoDB in one Region (``DescribeRegionSettings``).

    ``opted_in``: ``ResourceTypeOptInPreference["DynamoDB"]``, whether selections that do not
    name DynamoDB explicitly (tags, ``*``) back its tables up. ``advanced``:
    ``ResourceTypeManagementPreference["DynamoDB"]``, AWS Backup's advanced DynamoDB features
    (full management: vault encryption, cold storage, cross-account and cross-Region copies;
    https://docs.aws.amazon.com/aws-backup/latest/devguide/advanced-ddb-backup.html); None
    when not reported."""

    opted_in: bool
    advanced: bool | None = None
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class IamPolicy:
    """A customer managed or inline identity policy, with the principals that carry it."""

    name: str
    account_id: str
    kind: str  # managed (customer) | inline | aws_managed
    document: PolicyDocument
    arn: str | None = None
    attached_to: tuple[str, ...] = ()
    origin: Origin | None = None
    suppressions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Vpc:
    vpc_id: str
    account_id: str
    region: str
    is_default: bool = False
    origin: Origin | None = None
    suppressions: tuple[tuple[str, str], ...] = ()
    arn: str | None = None  # live VPCs: arn:<partition>:ec2:<region>:<account>:vpc/<id>


@dataclass(frozen=True, slots=True)
class VpcEndpoint:
    endpoint_id: str
    vpc_id: str
    service_name: str
    endpoint_type: str  # Gateway | Interface
    state: str | None = None


@dataclass(frozen=True, slots=True)
class KmsKey:
    """A KMS key as DescribeKey and GetKeyRotationStatus report it; ``aliases`` (names such as
    ``alias/app-cmk``, from ListAliases) only when the configuration names a key by alias."""

    key_ref: str
    arn: str | None
    manager: KeyManager
    state: str | None = None  # Enabled | Disabled | PendingDeletion | ...
    rotation_enabled: Fact[bool] = NOT_COLLECTED
    origin: Origin | None = None
    aliases: Fact[tuple[str, ...]] = NOT_COLLECTED
