"""Validation of encryption, replicas, tags and the resource policy of a table schema.

Encryption rules: DEFAULT (AWS owned key) and KMS (AWS managed key ``aws/dynamodb``) take no
key ARN; CUSTOMER_KEY needs a well-formed KMS key ARN or alias ARN in the table's region that is
not the AWS managed alias. Each replica of a table on a customer key needs a key in its own
region (KMS keys are regional; a multi-region key ``mrk-...`` supplies its replica's ARN).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dynaguard.config import Baseline
from dynaguard.model.aws_rules import parse_kms_arn
from dynaguard.provisioning import rules
from dynaguard.provisioning.schema_file import Problems
from dynaguard.provisioning.spec import EncryptionSpec, EncryptionType, ReplicaSpec, SpecDefaults
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import DocPath

if TYPE_CHECKING:
    from dynaguard.provisioning.schema_model import TableSchema


def check_key_arn(problems: Problems, arn: str, where: DocPath, region: str | None) -> bool:
    """A customer key ARN: well formed, not the AWS managed alias, in ``region``."""
    parsed = parse_kms_arn(arn)
    if parsed is None:
        problems.add(
            where,
            f"{short_repr(arn)} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID) or "
            "alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)",
        )
        return False
    if parsed.kind == "alias" and f"alias/{parsed.name}".startswith("alias/aws/"):
        problems.add(
            where,
            f"{arn} is an AWS managed key, not a customer managed key; use type KMS for it",
        )
        return False
    if region and parsed.region != region:
        problems.add(
            where,
            f"the key is in {parsed.region} but the table is in {region} (KMS keys are regional)",
        )
        return False
    return True


def configured_key(defaults: SpecDefaults, region: str | None) -> str | None:
    """--kms-key, else the first baseline.allowed_kms_keys entry in the table's region."""
    if defaults.kms_key_arn:
        return defaults.kms_key_arn
    return _allowed_in(defaults.baseline, region)


def read_encryption(
    problems: Problems,
    node: TableSchema,
    region: str | None,
    defaults: SpecDefaults,
    applied: list[str],
) -> EncryptionSpec:
    where = ("encryption", "kms_key_arn")
    key = configured_key(defaults, region)
    enc = node.encryption
    if enc is None:
        if key is None:
            applied.append(
                "encryption: KMS with the AWS managed key (no customer key given with --kms-key "
                "or configured in baseline.allowed_kms_keys)"
            )
            return EncryptionSpec(EncryptionType.KMS)
        applied.append(f"encryption: CUSTOMER_KEY {key}")
        check_key_arn(problems, key, ("--kms-key",), region)
        return EncryptionSpec(EncryptionType.CUSTOMER_KEY, key)
    arn = enc.kms_key_arn
    kind = enc.type
    if kind is None:
        kind = EncryptionType.CUSTOMER_KEY if arn or key else EncryptionType.KMS
    if kind in (EncryptionType.DEFAULT, EncryptionType.KMS):
        if arn is not None:
            problems.add(where, f"type {kind} takes no key ARN (only CUSTOMER_KEY does)")
        return EncryptionSpec(EncryptionType(kind))
    arn = arn or key
    if arn is None:
        problems.add(
            where, "type CUSTOMER_KEY needs a KMS key ARN or alias ARN (or pass --kms-key)"
        )
        return EncryptionSpec(EncryptionType.CUSTOMER_KEY)
    check_key_arn(problems, arn, where, region)
    return EncryptionSpec(EncryptionType.CUSTOMER_KEY, arn)


def read_replicas(
    problems: Problems,
    node: TableSchema,
    region: str | None,
    encryption: EncryptionSpec,
    baseline: Baseline,
) -> tuple[ReplicaSpec, ...]:
    out: list[ReplicaSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(node.replicas or ()):
        where: DocPath = ("replicas", i)
        name = item.region
        if name is None:
            problems.add((*where, "region"), "required: an AWS region name")
            continue
        if name == region:
            problems.add((*where, "region"), "the table's own region is not a replica")
        if name in seen:
            problems.add((*where, "region"), f"{name} is listed twice")
        seen.add(name)
        arn = _replica_key(
            problems, item.kms_key_arn, name, (*where, "kms_key_arn"), encryption, baseline
        )
        out.append(ReplicaSpec(name, arn))
    return tuple(out)


def _replica_key(
    problems: Problems,
    arn: str | None,
    region: str,
    where: DocPath,
    encryption: EncryptionSpec,
    baseline: Baseline,
) -> str | None:
    if encryption.type is not EncryptionType.CUSTOMER_KEY:
        if arn is not None:
            problems.add(where, f"the table uses {encryption.type}: replicas take no key")
        return None
    arn = arn or _multi_region_peer(encryption.kms_key_arn, region) or _allowed_in(baseline, region)
    if arn is None:
        problems.add(
            where,
            f"the table uses a customer key, so the replica in {region} needs a customer key "
            "in that region (KMS keys are regional)",
        )
        return None
    check_key_arn(problems, arn, where, region)
    return arn


def _multi_region_peer(arn: str | None, region: str) -> str | None:
    parsed = parse_kms_arn(arn or "")
    if parsed is None or not parsed.name.startswith("mrk-"):
        return None
    return f"arn:{parsed.partition}:kms:{region}:{parsed.account}:key/{parsed.name}"


def _allowed_in(baseline: Baseline, region: str | None) -> str | None:
    for arn in baseline.allowed_kms_keys:
        parsed = parse_kms_arn(arn)
        if parsed is not None and parsed.region == region:
            return arn
    return None


def read_tags(problems: Problems, node: TableSchema, defaults: SpecDefaults) -> dict[str, str]:
    """Schema tags, overridden by --tag; every required tag key must have a value."""
    tags = dict(node.tags or {})
    tags.update(defaults.tags)
    for key, value in tags.items():
        for problem in rules.tag_problems(key, value):
            problems.add(("tags", key), problem)
    if len(tags) > rules.MAX_TAGS:
        problems.add("tags", f"at most {rules.MAX_TAGS} tags per table, got {len(tags)}")
    if defaults.enforce_required_tags:
        for key in defaults.baseline.required_tags:
            if key not in tags:
                problems.add(
                    ("tags", key),
                    "required by baseline.required_tags: give it a value in the schema or "
                    f"with --tag {key}=VALUE",
                )
    return tags


def read_resource_policy(problems: Problems, node: TableSchema) -> dict[str, Any] | None:
    """A policy document (mapping or JSON text) with a Statement list, at most 20 KB."""
    document = node.resource_policy
    if document is None:
        return None
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        problems.add(("resource_policy", "Statement"), "a policy needs a list of statements")
        return None
    for i, stmt in enumerate(statements):
        where = ("resource_policy", "Statement", i)
        if not isinstance(stmt, dict) or stmt.get("Effect") not in ("Allow", "Deny"):
            problems.add(where, "needs Effect Allow or Deny")
        elif "Principal" not in stmt and "NotPrincipal" not in stmt:
            problems.add(where, "a resource policy statement needs a Principal")
    if len(json.dumps(document).encode()) > rules.MAX_POLICY_BYTES:
        problems.add("resource_policy", "larger than 20 KB (the AWS limit)")
    return dict(document)


__all__ = ["read_encryption", "read_replicas", "read_resource_policy", "read_tags"]
