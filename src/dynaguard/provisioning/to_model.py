"""TableSpec -> the model (Table, RegionScope, Inventory), and the pre-flight check: the SAME
controls as a scan, run on the table before it exists.

What the spec cannot tell (the KMS key's state and rotation, the account's AWS Backup
selections) comes from ``AccountFacts`` read live before planning; rendering code offline
leaves them Unknown, so the plan says UNKNOWN rather than guessing a PASS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.config import Config
from dynaguard.controls.base import Control
from dynaguard.engine import report_from_inventory
from dynaguard.model import (
    BackupRegionSettings,
    BackupSelection,
    Encryption,
    Fact,
    Inventory,
    KeyManager,
    KmsKey,
    Known,
    Origin,
    Pitr,
    PolicyDocument,
    RegionScope,
    Replica,
    ScalableTarget,
    Scaling,
    ScalingPolicy,
    SecondaryIndex,
    Stream,
    Table,
    Ttl,
    Unknown,
)
from dynaguard.model.aws_rules import parse_kms_arn
from dynaguard.provisioning.alarms import planned_alarms
from dynaguard.provisioning.spec import (
    TABLE_ARN_PLACEHOLDER,
    Autoscaling,
    EncryptionSpec,
    EncryptionType,
    TableSpec,
)
from dynaguard.report import Report

PLAN_SUBJECTS = ("table", "kms_key")  # control kinds that judge a single table and its key
UNKNOWN_ACCOUNT = "000000000000"
NO_BACKUP_FACTS = Unknown(
    "AWS Backup selections are the account's, not the table spec's: not read (offline render)"
)
NO_BACKUP_SETTINGS = Unknown(
    "AWS Backup Region settings are the account's, not the table spec's: not read (offline render)"
)
TARGET_TRACKING = "TargetTrackingScaling"


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """Live facts about the account the table will be created in."""

    account_id: str
    partition: str = "aws"
    kms_keys: Mapping[str, Fact[KmsKey]] = field(default_factory=dict)
    backup_selections: Fact[tuple[BackupSelection, ...]] = NO_BACKUP_FACTS
    backup_settings: Fact[BackupRegionSettings] = NO_BACKUP_SETTINGS


def offline_facts(spec: TableSpec) -> AccountFacts:
    """Facts for rendering code without AWS: the account from the key ARN, keys undescribed."""
    parsed = parse_kms_arn(spec.encryption.kms_key_arn or "")
    account = parsed.account if parsed else UNKNOWN_ACCOUNT
    partition = parsed.partition if parsed else "aws"
    keys: dict[str, Fact[KmsKey]] = {}
    for arn in key_arns(spec):
        keys[arn] = Known(
            KmsKey(
                key_ref=arn,
                arn=arn if ":key/" in arn else None,
                manager=KeyManager.CUSTOMER,
                rotation_enabled=Unknown("not read: rendering code makes no AWS call"),
            ),
            Origin(file=spec.source),
        )
    return AccountFacts(account, partition, keys)


def key_arns(spec: TableSpec) -> list[str]:
    """Every customer key the table and its replicas will use."""
    arns = [spec.encryption.kms_key_arn] + [r.kms_key_arn for r in spec.replicas]
    return [a for a in dict.fromkeys(arns) if a]


def table_arn(spec: TableSpec, facts: AccountFacts) -> str:
    return (
        f"arn:{facts.partition}:dynamodb:{spec.region}:{facts.account_id}:table/{spec.table_name}"
    )


def encryption_model(enc: EncryptionSpec) -> Encryption:
    if enc.type is EncryptionType.DEFAULT:
        return Encryption(kms=False)
    if enc.type is EncryptionType.KMS:
        return Encryption(kms=True, key_ref=None, status="ENABLED")
    return Encryption(kms=True, key_ref=enc.kms_key_arn, status="ENABLED")


def policy_with_arn(spec: TableSpec, arn: str) -> dict[str, object] | None:
    """The resource policy with ``${table_arn}`` replaced by the table's ARN."""
    if spec.resource_policy is None:
        return None
    import json

    text = json.dumps(spec.resource_policy).replace(TABLE_ARN_PLACEHOLDER, arn)
    document: dict[str, object] = json.loads(text)
    return document


def spec_to_table(spec: TableSpec, facts: AccountFacts) -> Table:
    origin = Origin(file=spec.source)
    arn = table_arn(spec, facts)
    pitr = Pitr(spec.pitr.enabled, spec.pitr.recovery_period_in_days)
    policy = policy_with_arn(spec, arn)
    document = None
    if policy is not None:
        statements: Any = policy.get("Statement")
        listed = statements if isinstance(statements, list) else [statements]
        document = PolicyDocument(tuple(listed))
    replicas = tuple(
        Replica(
            table_name=spec.table_name,
            region=r.region,
            arn=f"arn:{facts.partition}:dynamodb:{r.region}:{facts.account_id}:table/"
            f"{spec.table_name}",
            status=Known("ACTIVE", origin),
            encryption=Known(
                encryption_model(EncryptionSpec(spec.encryption.type, r.kms_key_arn)), origin
            ),
            pitr=Known(pitr, origin),
            origin=origin,
        )
        for r in spec.replicas
    )
    return Table(
        name=spec.table_name,
        account_id=facts.account_id,
        region=spec.region,
        arn=arn,
        origin=origin,
        status=Known("ACTIVE", origin),
        billing_mode=Known(spec.billing_mode, origin),
        read_capacity=spec.capacity.read if spec.capacity else None,
        write_capacity=spec.capacity.write if spec.capacity else None,
        gsis=Known(
            tuple(
                SecondaryIndex(
                    g.name,
                    g.capacity.read if g.capacity else None,
                    g.capacity.write if g.capacity else None,
                )
                for g in spec.global_indexes
            ),
            origin,
        ),
        encryption=Known(encryption_model(spec.encryption), origin),
        deletion_protection=Known(spec.deletion_protection, origin),
        stream=Known(Stream(spec.stream.enabled, spec.stream.view_type), origin),
        pitr=Known(pitr, origin),
        ttl=Known(
            Ttl("ENABLED", spec.ttl_attribute) if spec.ttl_attribute else Ttl("DISABLED"), origin
        ),
        tags=Known(dict(spec.tags), origin),
        resource_policy=Known(document, origin),
        stream_policy=Known(None, origin),
        replicas=Known(replicas, origin),
        global_table_version="2019.11.21" if replicas else None,
    )


def scaling_model(spec: TableSpec) -> Scaling:
    """The scalable targets and target-tracking policies the plan will register."""
    targets: list[ScalableTarget] = []
    policies: list[ScalingPolicy] = []
    for resource_id, kind, scaling in scaling_subjects(spec):
        for dimension in (
            f"dynamodb:{kind}:ReadCapacityUnits",
            f"dynamodb:{kind}:WriteCapacityUnits",
        ):
            targets.append(
                ScalableTarget(resource_id, dimension, scaling.min_capacity, scaling.max_capacity)
            )
            policies.append(
                ScalingPolicy(resource_id, dimension, TARGET_TRACKING, scaling.target_utilization)
            )
    return Scaling(tuple(targets), tuple(policies))


def scaling_subjects(spec: TableSpec) -> list[tuple[str, str, Autoscaling]]:
    """(resource id, ``table``|``index``, Autoscaling) for the table and each scaled GSI."""
    out: list[tuple[str, str, Autoscaling]] = []
    base = f"table/{spec.table_name}"
    if spec.autoscaling is not None:
        out.append((base, "table", spec.autoscaling))
    for g in spec.global_indexes:
        if g.autoscaling is not None:
            out.append((f"{base}/index/{g.name}", "index", g.autoscaling))
    return out


def spec_inventory(spec: TableSpec, facts: AccountFacts) -> Inventory:
    table = spec_to_table(spec, facts)
    scope = RegionScope(
        account_id=facts.account_id,
        region=spec.region,
        tables=Known((table,), table.origin),
        scaling=Known(scaling_model(spec), table.origin),
        backup_selections=facts.backup_selections,
        backup_settings=facts.backup_settings,
        kms_keys=dict(facts.kms_keys),
        alarms=Known(planned_alarms(spec), table.origin),
    )
    return Inventory("spec", regions=(scope,))


def plan_controls(controls: list[Control]) -> list[Control]:
    return [c for c in controls if c.subject_kind in PLAN_SUBJECTS]


def preflight(
    spec: TableSpec, facts: AccountFacts, controls: list[Control], config: Config, run_id: str
) -> Report:
    """The verdict of every table/key control on the table as it will be created."""
    selected = plan_controls(controls)
    return report_from_inventory(spec_inventory(spec, facts), selected, config, run_id)
