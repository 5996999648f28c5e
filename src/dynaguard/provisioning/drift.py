"""An existing table compared with the spec: provisioning never recreates, changes or deletes
an existing table; it reports each difference and how to close it (most by ``dynaguard
harden``, some only by hand, and the create-time-only ones not at all without a new table).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.model import (
    AWS_MANAGED_DYNAMODB_ALIAS,
    Encryption,
    Fact,
    KeyManager,
    KmsKey,
    Known,
    Table,
    Unknown,
    is_aws_managed_dynamodb_key,
)
from dynaguard.provisioning.live import ExistingTable
from dynaguard.provisioning.spec import EncryptionType, TableSpec
from dynaguard.provisioning.to_model import AccountFacts, policy_with_arn, scaling_model

RECREATE = "create-time only: needs a new table (dynaguard never deletes one)"
HARDEN = "dynaguard harden"


@dataclass(frozen=True, slots=True)
class Difference:
    field: str
    wanted: str
    actual: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "wanted": self.wanted, "actual": self.actual, "fix": self.fix}


def _keys(description: Mapping[str, Any]) -> tuple[str | None, str | None]:
    schema = {k["KeyType"]: k["AttributeName"] for k in description.get("KeySchema") or ()}
    return schema.get("HASH"), schema.get("RANGE")


def _index_keys(indexes: Any) -> dict[str, tuple[str | None, str | None]]:
    return {i["IndexName"]: _keys(i) for i in indexes or ()}


def _compare_keys(spec: TableSpec, desc: Mapping[str, Any], out: list[Difference]) -> None:
    live = _keys(desc)
    if live != (spec.hash_key, spec.range_key):
        out.append(Difference("key", _pair(spec.hash_key, spec.range_key), _pair(*live), RECREATE))
    types = {a["AttributeName"]: a["AttributeType"] for a in desc.get("AttributeDefinitions") or ()}
    for name, kind in spec.attributes.items():
        if name in types and types[name] != kind:
            out.append(Difference(f"attributes.{name}", kind, types[name], RECREATE))
    live_gsis = _index_keys(desc.get("GlobalSecondaryIndexes"))
    for g in spec.global_indexes:
        have = live_gsis.get(g.name)
        if have != (g.hash_key, g.range_key):
            fix = "aws dynamodb update-table --global-secondary-index-updates (Create)"
            out.append(
                Difference(
                    f"global_indexes.{g.name}",
                    _pair(g.hash_key, g.range_key),
                    _pair(*have) if have else "absent",
                    fix if not have else RECREATE,
                )
            )
    live_lsis = _index_keys(desc.get("LocalSecondaryIndexes"))
    for lsi in spec.local_indexes:
        have = live_lsis.get(lsi.name)
        if have != (lsi.hash_key, lsi.range_key):
            out.append(
                Difference(
                    f"local_indexes.{lsi.name}",
                    _pair(lsi.hash_key, lsi.range_key),
                    _pair(*have) if have else "absent",
                    RECREATE,
                )
            )


def _pair(hash_key: str | None, range_key: str | None) -> str:
    return f"{hash_key} HASH" + (f", {range_key} RANGE" if range_key else "")


def _value(fact: Any) -> Any:
    return fact.value if isinstance(fact, Known) else None


def _live_key_manager(enc: Encryption, key: Fact[KmsKey] | None) -> KeyManager | str:
    """Who manages the key the table uses: decided by DescribeKey's ``KeyManager`` (the table
    reports a key ARN, never the alias); a reason when the key could not be described."""
    if enc.key_ref is None or is_aws_managed_dynamodb_key(enc.key_ref):
        return KeyManager.AWS
    if isinstance(key, Known):
        return key.value.manager
    return f"unknown (key {enc.key_ref}: {key.reason if key else 'not described'})"


def _encryption(
    spec: TableSpec, table: Table, facts: AccountFacts, key: Fact[KmsKey] | None
) -> str | None:
    """What differs in encryption, or None."""
    enc = _value(table.encryption)
    if enc is None:
        return (
            f"unknown ({table.encryption.reason})"
            if isinstance(table.encryption, Unknown)
            else "unknown"
        )
    wanted = spec.encryption
    if wanted.type is EncryptionType.DEFAULT:
        return None if not enc.kms else "KMS"
    if not enc.kms:
        return "DEFAULT (AWS owned key)"
    live_ref = enc.key_ref or AWS_MANAGED_DYNAMODB_ALIAS
    manager = _live_key_manager(enc, key)
    if not isinstance(manager, KeyManager):
        return manager
    if wanted.type is EncryptionType.KMS:
        return None if manager is KeyManager.AWS else f"CUSTOMER_KEY {live_ref}"
    if manager is KeyManager.AWS:
        return "KMS (the AWS managed key)"
    wanted_key = facts.kms_keys.get(wanted.kms_key_arn or "")
    described = wanted_key.value if isinstance(wanted_key, Known) else None
    same = live_ref in (wanted.kms_key_arn, _arn_of(described))
    return None if same else f"key {live_ref}"


def _arn_of(key: KmsKey | None) -> str | None:
    return key.arn if key else None


def _compare_settings(
    spec: TableSpec, existing: ExistingTable, facts: AccountFacts, out: list[Difference]
) -> None:
    table = existing.table
    mode = _value(table.billing_mode)
    if mode != spec.billing_mode:
        out.append(
            Difference(
                "billing_mode",
                spec.billing_mode,
                str(mode),
                f"aws dynamodb update-table --billing-mode {spec.billing_mode}",
            )
        )
    enc_diff = _encryption(spec, table, facts, existing.key)
    if enc_diff is not None:
        wanted = f"{spec.encryption.type} {spec.encryption.kms_key_arn or ''}".strip()
        out.append(Difference("encryption", wanted, enc_diff, f"{HARDEN} (DDB.001)"))
    if _value(table.deletion_protection) != spec.deletion_protection:
        out.append(
            Difference(
                "deletion_protection",
                str(spec.deletion_protection).lower(),
                str(_value(table.deletion_protection)).lower(),
                f"{HARDEN} (DDB.003)",
            )
        )
    pitr = _value(table.pitr)
    have_pitr = (pitr.enabled, pitr.window_days if pitr.enabled else None) if pitr else None
    want_pitr = (
        spec.pitr.enabled,
        spec.pitr.recovery_period_in_days if spec.pitr.enabled else None,
    )
    if have_pitr != want_pitr:
        out.append(
            Difference(
                "point_in_time_recovery",
                _pitr_text(want_pitr),
                _pitr_text(have_pitr),
                f"{HARDEN} (DDB.002)",
            )
        )
    stream = _value(table.stream)
    have_stream = (stream.enabled, stream.view_type) if stream else None
    if have_stream != (spec.stream.enabled, spec.stream.view_type):
        out.append(
            Difference(
                "stream",
                spec.stream.view_type or "disabled",
                str(have_stream[1] if have_stream and have_stream[0] else "disabled"),
                f"{HARDEN} (DDB.013, opt-in)",
            )
        )


def _pitr_text(pitr: tuple[bool, int | None] | None) -> str:
    if pitr is None:
        return "unknown"
    return f"enabled, {pitr[1]} days" if pitr[0] else "disabled"


def _compare_extras(
    spec: TableSpec, existing: ExistingTable, facts: AccountFacts, out: list[Difference]
) -> None:
    table = existing.table
    ttl = _value(table.ttl)
    have_ttl = ttl.attribute if ttl and ttl.status in ("ENABLED", "ENABLING") else None
    if have_ttl != spec.ttl_attribute:
        out.append(
            Difference(
                "ttl_attribute",
                str(spec.ttl_attribute),
                str(have_ttl),
                f"{HARDEN} with ttl_attributes (DDB.014)",
            )
        )
    tags = _value(table.tags) or {}
    for key, value in spec.tags.items():
        if tags.get(key) != value:
            out.append(
                Difference(
                    f"tags.{key}",
                    value,
                    str(tags.get(key, "absent")),
                    "aws dynamodb tag-resource (or dynaguard harden, DDB.017)",
                )
            )
    live_regions = {r["RegionName"] for r in existing.description.get("Replicas") or ()}
    for replica in spec.replicas:
        if replica.region not in live_regions:
            out.append(
                Difference(
                    f"replicas.{replica.region}",
                    "present",
                    "absent",
                    "aws dynamodb update-table --replica-updates Create",
                )
            )
    _compare_scaling(spec, existing, out)
    wanted_policy = policy_with_arn(spec, table.arn or "")
    live_policy = _value(table.resource_policy)
    if wanted_policy is not None:
        live_statements = list(live_policy.statements) if live_policy else None
        if _canonical(wanted_policy.get("Statement")) != _canonical(live_statements):
            out.append(
                Difference(
                    "resource_policy",
                    "as in the schema",
                    "absent" if live_policy is None else "different",
                    "aws dynamodb put-resource-policy",
                )
            )


def _compare_scaling(spec: TableSpec, existing: ExistingTable, out: list[Difference]) -> None:
    if not isinstance(existing.scaling, Known):
        return
    live = {(t.resource_id, t.dimension) for t in existing.scaling.value.targets}
    live_policies = {(p.resource_id, p.dimension) for p in existing.scaling.value.policies}
    for target in scaling_model(spec).targets:
        key = (target.resource_id, target.dimension)
        if key not in live or key not in live_policies:
            out.append(
                Difference(
                    f"autoscaling.{target.resource_id}.{target.dimension}",
                    "target tracking",
                    "absent",
                    f"{HARDEN} (DDB.004)",
                )
            )


def _canonical(statements: Any) -> str:
    if isinstance(statements, dict):
        statements = [statements]
    return json.dumps(statements, sort_keys=True)


def compare(spec: TableSpec, existing: ExistingTable, facts: AccountFacts) -> list[Difference]:
    """Every way the existing table differs from the spec (empty: it matches)."""
    out: list[Difference] = []
    _compare_keys(spec, existing.description, out)
    _compare_settings(spec, existing, facts, out)
    _compare_extras(spec, existing, facts, out)
    return out
