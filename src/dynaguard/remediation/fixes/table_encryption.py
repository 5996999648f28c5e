"""DDB.001 / DDB.010: switch a table's (and each replica's) SSE to the configured key.

UpdateTable ``SSESpecification`` switches the table's key; ``ReplicaUpdates[].Update
.KMSMasterKeyId`` switches a replica's. The table goes UPDATING and SSE UPDATING until the
switch is done; nothing is re-encrypted by the caller and no item is touched. Under
``baseline.encryption: kms`` the target is the AWS managed key instead.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateReplicationGroupMemberAction.html
"""

from __future__ import annotations

from dynaguard.model import (
    Encryption,
    KeyManager,
    Known,
    Replica,
    Table,
    is_aws_managed_dynamodb_key,
)
from dynaguard.remediation.base import (
    ApiStep,
    Change,
    LiveState,
    Manual,
    Options,
    PlanResult,
    Remediation,
    Skip,
)
from dynaguard.remediation.fixes.common import (
    AWS_MANAGED_KEY,
    key_for_region,
    no_key_reason,
    table_ref,
    table_step,
)
from dynaguard.remediation.key_check import check_configured_keys
from dynaguard.remediation.registry import register

PERMISSIONS = (
    "dynamodb:UpdateTable",
    "dynamodb:DescribeTable",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def aws_managed(enc: Encryption, live: LiveState) -> bool:
    """KMS with the AWS managed key: no key named, its alias, or a key ARN (DescribeTable
    reports one) that DescribeKey says AWS manages."""
    if enc.key_ref is None or is_aws_managed_dynamodb_key(enc.key_ref):
        return True
    key = live.scope.kms_keys.get(enc.key_ref)
    return isinstance(key, Known) and key.value.manager is KeyManager.AWS


def describe_encryption(enc: Encryption, live: LiveState) -> str:
    if not enc.kms:
        return "AWS owned key"
    return "AWS managed key" if aws_managed(enc, live) else str(enc.key_ref)


def restore_spec(enc: Encryption, live: LiveState) -> dict[str, object]:
    """The SSESpecification that puts ``enc`` back. The AWS managed key is asked for by
    naming no key, as AWS documents (not by its ARN)."""
    if not enc.kms:
        return {"Enabled": False}
    if aws_managed(enc, live):
        return {"Enabled": True, "SSEType": "KMS"}
    return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": enc.key_ref}


def _disabled_key(enc: Encryption, live: LiveState) -> str | None:
    """A customer key that is in use but not Enabled: switching keys is not the fix."""
    key = live.scope.kms_keys.get(enc.key_ref or "")
    if (
        isinstance(key, Known)
        and key.value.manager is KeyManager.CUSTOMER
        and key.value.state not in (None, "Enabled")
    ):
        return key.value.state
    return None


def _target(region: str, live: LiveState, options: Options) -> tuple[str | None, tuple[str, ...]]:
    if live.baseline.encryption == "kms":
        return AWS_MANAGED_KEY, ()
    return key_for_region(region, options)


def plan_table(table: Table, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(table.encryption, Known):
        return Skip("DDB.001", table_ref(table), "encryption state unknown")
    enc = table.encryption.value
    state = _disabled_key(enc, live)
    if state:
        return Manual(
            "DDB.001",
            table_ref(table),
            f"the table's customer key {enc.key_ref} is {state}",
            (f"aws kms enable-key --key-id {enc.key_ref} --region {table.region}",),
        )
    key, requires = _target(table.region, live, options)
    if key is None:
        return Skip("DDB.001", table_ref(table), no_key_reason(table.region))
    spec: dict[str, object] = {"Enabled": True, "SSEType": "KMS"}
    if key != AWS_MANAGED_KEY:
        spec["KMSMasterKeyId"] = key
    return Change(
        "DDB.001",
        table_ref(table),
        describe_encryption(enc, live),
        key if key != AWS_MANAGED_KEY else "AWS managed key",
        (table_step("dynamodb:UpdateTable", table.name, table.region, SSESpecification=spec),),
        (
            table_step(
                "dynamodb:UpdateTable",
                table.name,
                table.region,
                SSESpecification=restore_spec(enc, live),
            ),
        ),
        {"encryption": describe_encryption(enc, live), "key_ref": enc.key_ref, "kms": enc.kms},
        requires=requires,
    )


def _replica_undo(table: Table, replica: Replica, enc: Encryption, live: LiveState) -> ApiStep:
    if enc.kms and not aws_managed(enc, live):
        update = {"Update": {"RegionName": replica.region, "KMSMasterKeyId": enc.key_ref}}
        return table_step("dynamodb:UpdateTable", table.name, table.region, ReplicaUpdates=[update])
    # Back to the AWS owned / managed key: set it on the replica's own table.
    return table_step(
        "dynamodb:UpdateTable",
        table.name,
        replica.region,
        SSESpecification=restore_spec(enc, live),
    )


def plan_replicas(table: Table, live: LiveState, options: Options) -> PlanResult:
    failing = {f.region for f in live.failing("DDB.010")}
    if not isinstance(table.replicas, Known):
        return Skip("DDB.010", table_ref(table), "replicas unknown")
    steps, undo, now, want = [], [], [], []
    requires: tuple[str, ...] = ()
    for replica in table.replicas.value:
        if replica.region not in failing or not isinstance(replica.encryption, Known):
            continue
        key, needs = _target(replica.region, live, options)
        if key is None:
            return Skip("DDB.010", table_ref(table), no_key_reason(replica.region))
        requires += needs
        update = {"Update": {"RegionName": replica.region, "KMSMasterKeyId": key}}
        steps.append(
            table_step("dynamodb:UpdateTable", table.name, table.region, ReplicaUpdates=[update])
        )
        undo.append(_replica_undo(table, replica, replica.encryption.value, live))
        now.append(f"{replica.region}: {describe_encryption(replica.encryption.value, live)}")
        want.append(f"{replica.region}: {key}")
    if not steps:
        return Skip("DDB.010", table_ref(table), "replica encryption unknown")
    return Change(
        "DDB.010",
        table_ref(table),
        "; ".join(now),
        "; ".join(want),
        tuple(steps),
        tuple(undo),
        {"replicas": now},
        requires=requires,
    )


register(
    Remediation(
        "DDB.001",
        "table",
        "switch SSE to the configured customer managed key (UpdateTable SSESpecification)",
        PERMISSIONS,
        ("ACTIVE",),
        plan_table,
        preflight=check_configured_keys,
    )
)
register(
    Remediation(
        "DDB.010",
        "table",
        "switch each failing replica to the configured key of its region (ReplicaUpdates)",
        PERMISSIONS,
        ("ACTIVE",),
        plan_replicas,
        preflight=check_configured_keys,
    )
)
