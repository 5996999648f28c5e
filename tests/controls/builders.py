"""Model builders for control tests: compliant by default, so each test changes one thing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dynaguard.config import Baseline
from dynaguard.controls.base import Context, Verdict
from dynaguard.controls.registry import get_control
from dynaguard.model import (
    AccountScope,
    BackupRegionSettings,
    BackupSelection,
    DaxCluster,
    Encryption,
    IamPolicy,
    KeyManager,
    KmsKey,
    Known,
    Pitr,
    PolicyDocument,
    RegionScope,
    Replica,
    Scaling,
    Status,
    Stream,
    Table,
    Ttl,
    Unknown,
    Vpc,
    VpcEndpoint,
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "999988887777"
REGION = "eu-west-1"
CMK_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b7a2f0e-1111-4c4c-9a9a-000000000001"
AWS_MANAGED_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/aaaaaaaa-2222-4c4c-9a9a-000000000002"
DENIED = Unknown("AccessDeniedException: not authorized")


def table_arn(name: str = "orders", region: str = REGION) -> str:
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"


def cmk(**overrides: Any) -> KmsKey:
    """An enabled, rotating customer managed key."""
    key = KmsKey(
        key_ref=CMK_ARN,
        arn=CMK_ARN,
        manager=KeyManager.CUSTOMER,
        state="Enabled",
        rotation_enabled=Known(True),
    )
    return replace(key, **overrides)


def aws_managed_key() -> KmsKey:
    return KmsKey(
        key_ref=AWS_MANAGED_ARN,
        arn=AWS_MANAGED_ARN,
        manager=KeyManager.AWS,
        state="Enabled",
        rotation_enabled=Known(True),
    )


def encryption(
    key_ref: str | None = CMK_ARN, *, kms: bool = True, status: str | None = "ENABLED"
) -> Encryption:
    return Encryption(kms=kms, key_ref=key_ref, status=status)


def replica(region: str = "us-east-1", name: str = "orders", **overrides: Any) -> Replica:
    """A replica on the customer key with 35-day PITR."""
    rep = Replica(
        table_name=name,
        region=region,
        arn=table_arn(name, region),
        status=Known("ACTIVE"),
        encryption=Known(encryption(CMK_ARN.replace(REGION, region))),
        pitr=Known(Pitr(True, 35)),
    )
    return replace(rep, **overrides)


def table(name: str = "orders", **overrides: Any) -> Table:
    """A table that passes every table control under the default baseline."""
    t = Table(
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        arn=table_arn(name),
        status=Known("ACTIVE"),
        billing_mode=Known("PAY_PER_REQUEST"),
        gsis=Known(()),
        encryption=Known(encryption()),
        deletion_protection=Known(True),
        stream=Known(Stream(True, "NEW_AND_OLD_IMAGES")),
        stream_arn=f"{table_arn(name)}/stream/2024-01-01T00:00:00.000",
        pitr=Known(Pitr(True, 35)),
        ttl=Known(Ttl("ENABLED", "expires_at")),
        tags=Known({"owner": "payments", "backup": "daily"}),
        resource_policy=Known(None),
        stream_policy=Known(None),
        replicas=Known(()),
    )
    return replace(t, **overrides)


def selection(**overrides: Any) -> BackupSelection:
    """A selection naming every DynamoDB table by ARN wildcard."""
    s = BackupSelection(
        plan_name="daily",
        selection_name="all-tables",
        resources=("arn:aws:dynamodb:*:*:table/*",),
    )
    return replace(s, **overrides)


def dax(**overrides: Any) -> DaxCluster:
    """Encrypted, TLS, three nodes in three zones."""
    c = DaxCluster(
        name="cache",
        account_id=ACCOUNT,
        region=REGION,
        arn=f"arn:aws:dax:{REGION}:{ACCOUNT}:cache/cache",
        status=Known("available"),
        sse_enabled=Known(True),
        endpoint_encryption=Known("TLS"),
        node_azs=Known((f"{REGION}a", f"{REGION}b", f"{REGION}c")),
        replication_factor=Known(3),
    )
    return replace(c, **overrides)


def vpc(vpc_id: str = "vpc-0123", **overrides: Any) -> Vpc:
    return replace(Vpc(vpc_id=vpc_id, account_id=ACCOUNT, region=REGION), **overrides)


def endpoint(vpc_id: str = "vpc-0123", **overrides: Any) -> VpcEndpoint:
    e = VpcEndpoint(
        endpoint_id="vpce-0aaa",
        vpc_id=vpc_id,
        service_name=f"com.amazonaws.{REGION}.dynamodb",
        endpoint_type="Gateway",
        state="available",
    )
    return replace(e, **overrides)


def doc(*statements: Mapping[str, Any], **overrides: Any) -> PolicyDocument:
    return replace(PolicyDocument(statements=tuple(statements)), **overrides)


def iam_policy(*statements: Mapping[str, Any], **overrides: Any) -> IamPolicy:
    p = IamPolicy(
        name="app-policy",
        account_id=ACCOUNT,
        kind="managed",
        document=doc(*statements),
        arn=f"arn:aws:iam::{ACCOUNT}:policy/app-policy",
        attached_to=(f"arn:aws:iam::{ACCOUNT}:role/app",),
    )
    return replace(p, **overrides)


def scope(**overrides: Any) -> RegionScope:
    """A region where the default table's key is described and every table is backed up."""
    s = RegionScope(
        account_id=ACCOUNT,
        region=REGION,
        tables=Known(()),
        dax_clusters=Known(()),
        scaling=Known(Scaling()),
        backup_selections=Known((selection(),)),
        backup_settings=Known(BackupRegionSettings(opted_in=True, advanced=True)),
        vpcs=Known(()),
        vpc_endpoints=Known((endpoint(),)),
        kms_keys={
            CMK_ARN: Known(cmk()),
            CMK_ARN.replace(REGION, "us-east-1"): Known(
                cmk(arn=CMK_ARN.replace(REGION, "us-east-1"))
            ),
        },
    )
    return replace(s, **overrides)


def ctx(
    region_scope: RegionScope | None = None,
    baseline: Baseline | None = None,
    account: AccountScope | None = None,
    **baseline_overrides: Any,
) -> Context:
    base = baseline or Baseline()
    if baseline_overrides:
        base = replace(base, **baseline_overrides)
    return Context(region_scope or scope(), account or AccountScope(ACCOUNT), base)


def run(control_id: str, subject: object, context: Context | None = None) -> list[Verdict]:
    """Evaluate one registered control on one subject."""
    return get_control(control_id).evaluate(subject, context or ctx())


def one(control_id: str, subject: object, context: Context | None = None) -> Verdict:
    verdicts = run(control_id, subject, context)
    assert len(verdicts) == 1, verdicts
    return verdicts[0]


def status(control_id: str, subject: object, context: Context | None = None) -> Status:
    return one(control_id, subject, context).status
