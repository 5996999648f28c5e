"""What the demo fleet contains and which verdict each resource was designed to get.

Pure data, no I/O: :mod:`dynaguard.emulator.fleet` turns it into boto3 calls. The verdicts
assume the default baseline (CONTROLS.md) with :data:`BASELINE_OVERRIDES` applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, TypedDict

PASS, FAIL, NA = "PASS", "FAIL", "NOT_APPLICABLE"

REQUIRED_TAGS = ("owner", "cost-center")
UNTRUSTED_ACCOUNT = "444455556666"  # named by catalog's resource policy, never trusted
TRUSTED_ORG = "o-sentinel01"  # the fleet's organisation (inventory's policy admits only it)


class BaselineOverrides(TypedDict):
    """Baseline fields (dynaguard.config.Baseline) that differ from the defaults for this fleet."""

    required_tags: tuple[str, ...]
    trusted_org_ids: tuple[str, ...]


BASELINE_OVERRIDES: Final = BaselineOverrides(
    required_tags=REQUIRED_TAGS, trusted_org_ids=(TRUSTED_ORG,)
)

# Resource policies by shape. "{table}" / "{stream}" is the table's / stream's ARN, "{account}"
# the fleet's account.
_READ = ["dynamodb:GetItem", "dynamodb:Query"]
RESOURCE_POLICIES: Mapping[str, tuple[Mapping[str, object], ...]] = MappingProxyType(
    {
        # catalog: a partner account (never trusted) reads the table: FAIL.
        "partner-read": (
            {
                "Sid": "PartnerRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{UNTRUSTED_ACCOUNT}:root"},
                "Action": _READ,
                "Resource": "{table}",
            },
        ),
        # inventory: open to everyone, but a Deny takes it back from callers outside the
        # fleet's organisation: PASS (a check that ignores Deny would FAIL it).
        "org-only": (
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Principal": "*",
                "Action": _READ,
                "Resource": "{table}",
            },
            {
                "Sid": "OnlyOurOrg",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "dynamodb:*",
                "Resource": "{table}",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}},
            },
        ),
        # sentinel-sessions' stream: EventBridge Pipes without aws:SourceAccount (any account's
        # pipe could read it: the confused deputy) beside the account's own consumer: FAIL.
        "pipes-stream": (
            {
                "Sid": "Pipes",
                "Effect": "Allow",
                "Principal": {"Service": "pipes.amazonaws.com"},
                "Action": ["dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                "Resource": "{stream}",
            },
            {
                "Sid": "OwnConsumer",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::{account}:role/orders-reader"},
                "Action": "dynamodb:GetRecords",
                "Resource": "{stream}",
            },
        ),
    }
)

# KMS keys by alias. The customer keys are created by the seeder; alias/aws/dynamodb is the
# AWS managed key, created by AWS (the patched emulator) on first use in each region.
CMK_ROTATED = "alias/sentinel-cmk"  # primary region, rotation on
CMK_LEGACY = "alias/legacy-cmk"  # primary region, rotation OFF
CMK_REPLICA = "alias/sentinel-cmk-replica"  # replica region, rotation on
AWS_MANAGED = "alias/aws/dynamodb"
CUSTOMER_KEYS: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {  # alias -> (region role, rotation enabled)
        CMK_ROTATED: ("primary", True),
        CMK_LEGACY: ("primary", False),
        CMK_REPLICA: ("replica", True),
    }
)

# Controls whose subject is a table, in the column order of TableSpec.expected.
TABLE_CONTROLS = (
    "DDB.001",  # customer managed key
    "DDB.002",  # PITR >= 35 days
    "DDB.003",  # deletion protection
    "DDB.004",  # autoscaling (on-demand passes)
    "DDB.005",  # covered by a backup selection
    "DDB.006",  # resource policy restricted
    "DDB.013",  # streams NEW_AND_OLD_IMAGES
    "DDB.014",  # TTL
    "DDB.017",  # required tags
)
# DDB.018: the throttling alarms seeded per table, metric -> actions enabled; every alarm
# notifies ALARM_TOPIC. A table passes with both metrics alarmed and enabled; tables not
# listed have no alarm (FAIL).
ALARM_TOPIC = "dynamodb-ops"
DEMO_ACCOUNT = "123456789012"  # the account moto's fake credentials map to
THROTTLE_ALARMS: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "sentinel-approvals": {"ReadThrottleEvents": True, "WriteThrottleEvents": True},
        "inventory": {"ReadThrottleEvents": True, "WriteThrottleEvents": True},
        "orders": {"ReadThrottleEvents": True, "WriteThrottleEvents": True},
        "catalog": {"ReadThrottleEvents": True},  # read only
        "audit-log": {"ReadThrottleEvents": True, "WriteThrottleEvents": False},  # muted
    }
)
REPLICA_CONTROLS = ("DDB.010", "DDB.011")  # per replica: customer key, PITR
DAX_CONTROLS = ("DDB.007", "DDB.008", "DDB.009")  # encrypted, TLS, >= 2 zones


@dataclass(frozen=True, slots=True)
class ReplicaSpec:
    region_role: str  # "replica" | "second_replica"
    key: str  # KMSMasterKeyId for the replica (an alias in its region)
    pitr_days: int | None
    expected: tuple[str, str]  # DDB.010, DDB.011


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    expected: tuple[str, ...]  # one status per TABLE_CONTROLS entry
    key: str | None = None  # None: AWS owned key; else an alias (AWS_MANAGED or a CMK)
    pitr_days: int | None = None
    deletion_protection: bool = False
    stream_view: str | None = None
    ttl_attribute: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    gsi: str | None = None  # provisioned tables only
    provisioned: bool = False
    scaling: str = "none"  # all | table-only | targets-only | none
    resource_policy: str | None = None  # a RESOURCE_POLICIES shape on the table
    stream_policy: str | None = None  # a RESOURCE_POLICIES shape on its stream
    replicas: tuple[ReplicaSpec, ...] = ()


_FULL_TAGS = {"owner": "payments", "cost-center": "cc-1042"}

#                  001   002   003   004   005   006   013   014   017
TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "sentinel-approvals",
        (PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS),
        key=CMK_ROTATED,
        pitr_days=35,
        deletion_protection=True,
        stream_view="NEW_AND_OLD_IMAGES",
        ttl_attribute="expires_at",
        tags={**_FULL_TAGS, "backup": "daily"},
    ),
    TableSpec(
        "sentinel-breakglass",  # AWS managed key: a "CMK" check must not accept it
        (FAIL, FAIL, FAIL, PASS, FAIL, PASS, FAIL, FAIL, FAIL),
        key=AWS_MANAGED,
        tags={"owner": "security"},
    ),
    TableSpec(
        "sentinel-sessions",  # AWS owned key, PITR 7 < 35, bad view type, open stream policy
        (FAIL, FAIL, PASS, PASS, PASS, FAIL, FAIL, FAIL, PASS),
        pitr_days=7,
        deletion_protection=True,
        stream_view="KEYS_ONLY",
        tags={**_FULL_TAGS, "backup": "daily"},
        stream_policy="pipes-stream",
    ),
    TableSpec(
        "inventory",  # compliant (policy: Allow * + Deny outside the org); key does not rotate
        (PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS),
        key=CMK_LEGACY,
        pitr_days=35,
        deletion_protection=True,
        stream_view="NEW_AND_OLD_IMAGES",
        ttl_attribute="expires_at",
        tags={**_FULL_TAGS, "backup": "daily"},
        provisioned=True,
        gsi="by-sku",
        scaling="all",
        resource_policy="org-only",
    ),
    TableSpec(
        "catalog",  # table scaled, GSI not; cross-account resource policy; backed up by ARN
        (FAIL, FAIL, FAIL, FAIL, PASS, FAIL, FAIL, FAIL, PASS),
        tags=dict(_FULL_TAGS),
        provisioned=True,
        gsi="by-category",
        scaling="table-only",
        resource_policy="partner-read",
    ),
    TableSpec(
        "audit-log",  # provisioned without autoscaling; backed up by ARN wildcard
        (FAIL, PASS, FAIL, FAIL, PASS, PASS, FAIL, FAIL, FAIL),
        pitr_days=35,
        stream_view="NEW_IMAGE",
        provisioned=True,
    ),
    TableSpec(
        "audit-scratch",  # scalable targets without policies; excluded by NotResources
        (FAIL, FAIL, FAIL, FAIL, FAIL, PASS, FAIL, FAIL, FAIL),
        tags={"backup": "weekly"},
        provisioned=True,
        scaling="targets-only",
    ),
    TableSpec(
        "orders",  # global table: first replica compliant, second not
        (PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS, PASS),
        key=CMK_ROTATED,
        pitr_days=35,
        deletion_protection=True,
        stream_view="NEW_AND_OLD_IMAGES",
        ttl_attribute="expires_at",
        tags={**_FULL_TAGS, "backup-tier": "gold"},
        replicas=(
            ReplicaSpec("replica", CMK_REPLICA, 35, (PASS, PASS)),
            ReplicaSpec("second_replica", AWS_MANAGED, None, (FAIL, FAIL)),
        ),
    ),
)


def create_table_request(table: TableSpec) -> dict[str, Any]:
    """The CreateTable parameters a user would send for ``table`` (hash key ``pk``)."""
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    request: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "DeletionProtectionEnabled": table.deletion_protection,
        "BillingMode": "PROVISIONED" if table.provisioned else "PAY_PER_REQUEST",
        "AttributeDefinitions": attrs,
    }
    capacity = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if table.provisioned:
        request["ProvisionedThroughput"] = capacity
    if table.gsi:
        attrs.append({"AttributeName": "gk", "AttributeType": "S"})
        index = {
            "IndexName": table.gsi,
            "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": capacity,
        }
        request["GlobalSecondaryIndexes"] = [index]
    if table.key == AWS_MANAGED:
        request["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}  # no key id
    elif table.key:
        request["SSESpecification"] = {
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": table.key,
        }
    if table.stream_view:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": table.stream_view,
        }
    if table.tags:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in table.tags.items()]
    return request


@dataclass(frozen=True, slots=True)
class DaxSpec:
    name: str
    replication_factor: int
    zones: tuple[int, ...]  # indexes into the region's zones, one per node
    sse: bool
    tls: bool
    expected: tuple[str, str, str]  # DDB.007, DDB.008, DDB.009
    grow_to: int = 0  # IncreaseReplicationFactor to this many nodes, same zone as node 1


DAX_CLUSTERS: tuple[DaxSpec, ...] = (
    DaxSpec("dax-sentinel", 3, (0, 1, 2), True, True, (PASS, PASS, PASS)),
    DaxSpec("dax-legacy", 1, (0,), False, False, (FAIL, FAIL, FAIL)),
    # Three nodes in ONE zone: a multi-AZ check that counts nodes would wrongly pass it.
    DaxSpec("dax-stacked", 1, (0,), True, True, (PASS, PASS, FAIL), grow_to=3),
)

# Backup plan selections. "{arn}" is arn:aws:dynamodb:<primary region>:<account>:table
BACKUP_PLAN = "sentinel-daily"
BACKUP_SELECTIONS: tuple[Mapping[str, object], ...] = (
    {
        "SelectionName": "tagged-daily",
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}
        ],
    },
    {
        "SelectionName": "catalog-and-audit",
        "Resources": ["{arn}/catalog*", "{arn}/audit-*"],
        "NotResources": ["{arn}/audit-scratch"],
    },
    {
        "SelectionName": "gold-tier",
        "Resources": ["arn:aws:dynamodb:*:*:table/*"],
        "Conditions": {
            "StringEquals": [
                {"ConditionKey": "aws:ResourceTag/backup-tier", "ConditionValue": "gold"}
            ]
        },
    },
)

# Identity policies: name -> (statement, role it is attached to, managed?, expected DDB.012)
IAM_POLICIES: Mapping[str, tuple[Mapping[str, object], str, bool, str]] = MappingProxyType(
    {
        "dynamodb-full-wildcard": (
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            "app-admin",
            True,
            FAIL,
        ),
        "orders-read-scoped": (
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
                "Resource": "{arn}/orders",
            },
            "orders-reader",
            True,
            PASS,
        ),
        "ops-notaction": (  # inline; NotAction iam:* on * grants dynamodb:* too
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
            "ops-breakglass",
            False,
            FAIL,
        ),
    }
)


# AWS managed policies attached to the fleet's roles: name -> (role, expected DDB.012). Each is
# one finding for the account, naming the roles that carry it.
AWS_MANAGED_ATTACHMENTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "AdministratorAccess": ("ops-breakglass", FAIL),
        "AmazonDynamoDBReadOnlyAccess": ("orders-reader", PASS),
    }
)


def iam_policy_id(name: str, role: str, managed: bool) -> str:
    """A policy finding's resource id: a managed policy's name, ``role/ROLE/NAME`` if inline."""
    return name if managed else f"role/{role}/{name}"


# VPCs the seeder creates (moto also has a default VPC per region, without endpoint: FAIL).
VPCS: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {"app-vpc": ("10.10.0.0/16", True), "batch-vpc": ("10.20.0.0/16", False)}
)


def expected_verdicts(
    regions: Mapping[str, str],
    key_arns: Mapping[tuple[str, str], str],
    vpcs: Mapping[str, str],
) -> dict[tuple[str, str, str], str]:
    """(control_id, resource_id, region) -> status: the primary region and the account's IAM.

    ``regions`` maps a region role (primary, replica, second_replica) to its region;
    ``key_arns`` maps (region, alias) to the key ARN the tables report (only keys in use);
    ``vpcs`` maps "default" or a VPC's Name to its id in the primary region. A replica's
    finding carries the table name and the replica's region; IAM findings the region "global".
    """
    home = regions["primary"]
    expected: dict[tuple[str, str, str], str] = {}
    for table in TABLES:
        for control, status in zip(TABLE_CONTROLS, table.expected, strict=True):
            expected[(control, table.name, home)] = status
        alarms = THROTTLE_ALARMS.get(table.name, {})
        alarmed = len(alarms) == 2 and all(alarms.values())
        expected[("DDB.018", table.name, home)] = PASS if alarmed else FAIL
        if not table.replicas:
            expected.update({(c, table.name, home): NA for c in REPLICA_CONTROLS})
        for replica in table.replicas:
            region = regions[replica.region_role]
            for control, status in zip(REPLICA_CONTROLS, replica.expected, strict=True):
                expected[(control, table.name, region)] = status
    for (key_region, alias), arn in key_arns.items():
        rotated = CUSTOMER_KEYS.get(alias, ("", False))[1]
        # DDB.016 judges customer keys; AWS rotates its managed keys itself. A key is reported
        # in its own region (a replica's key lives in the replica's region).
        status = NA if alias == AWS_MANAGED else (PASS if rotated else FAIL)
        expected[("DDB.016", arn, key_region)] = status
    for cluster in DAX_CLUSTERS:
        for control, status in zip(DAX_CONTROLS, cluster.expected, strict=True):
            expected[(control, cluster.name, home)] = status
    for name, (_, role, managed, status) in IAM_POLICIES.items():
        expected[("DDB.012", iam_policy_id(name, role, managed), "global")] = status
    for name, (_, status) in AWS_MANAGED_ATTACHMENTS.items():
        expected[("DDB.012", name, "global")] = status
    for name, vpc_id in vpcs.items():
        expected[("DDB.015", vpc_id, home)] = PASS if VPCS.get(name, ("", False))[1] else FAIL
    return expected
