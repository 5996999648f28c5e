"""Validation of encryption, replicas, tags and the resource policy of a table schema.

Encryption rules: DEFAULT (AWS owned key) and KMS (AWS managed key ``aws/dynamodb``) take no
key ARN; CUSTOMER_KEY needs a well-formed KMS key ARN or alias ARN in the table's region that is
not the AWS managed alias. Each replica of a table on a customer key needs a key in its own
region (KMS keys are regional; a multi-region key ``mrk-...`` supplies its replica's ARN).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dynaguard.config import Baseline
from dynaguard.provisioning import rules
from dynaguard.provisioning.rules import FieldReader, join
from dynaguard.provisioning.spec import EncryptionSpec, EncryptionType, ReplicaSpec

if TYPE_CHECKING:
    from dynaguard.provisioning.validate import SpecDefaults

ENCRYPTION_TYPES = tuple(t.value for t in EncryptionType)


def check_key_arn(r: FieldReader, arn: str, where: str, region: str | None, node: Any) -> bool:
    """A customer key ARN: well formed, not the AWS managed alias, in ``region``."""
    parsed = rules.parse_kms_arn(arn)
    if parsed is None:
        r.problems.add(
            where,
            f"{arn!r} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID) or alias ARN "
            "(arn:aws:kms:REGION:ACCOUNT:alias/NAME)",
            node,
        )
        return False
    if parsed.kind == "alias" and f"alias/{parsed.name}".startswith("alias/aws/"):
        r.problems.add(
            where,
            f"{arn} is an AWS managed key, not a customer managed key; use type KMS for it",
            node,
        )
        return False
    if region and parsed.region != region:
        r.problems.add(
            where,
            f"the key is in {parsed.region} but the table is in {region} (KMS keys are regional)",
            node,
        )
        return False
    return True


def configured_key(defaults: SpecDefaults, region: str | None) -> str | None:
    """--kms-key, else the first baseline.allowed_kms_keys entry in the table's region."""
    if defaults.kms_key_arn:
        return defaults.kms_key_arn
    for arn in defaults.baseline.allowed_kms_keys:
        parsed = rules.parse_kms_arn(arn)
        if parsed is not None and parsed.region == region:
            return arn
    return None


def read_encryption(
    r: FieldReader,
    node: Mapping[str, Any],
    region: str | None,
    defaults: SpecDefaults,
    applied: list[str],
) -> EncryptionSpec:
    where = "encryption"
    key = configured_key(defaults, region)
    if node.get(where) is None:
        if key is None:
            applied.append(
                "encryption: KMS with the AWS managed key (no customer key given with --kms-key "
                "or configured in baseline.allowed_kms_keys)"
            )
            return EncryptionSpec(EncryptionType.KMS)
        applied.append(f"encryption: CUSTOMER_KEY {key}")
        check_key_arn(r, key, "--kms-key", region, None)
        return EncryptionSpec(EncryptionType.CUSTOMER_KEY, key)
    enc = r.mapping(node[where], where, ("type", "kms_key_arn"))
    arn = r.get(enc, "kms_key_arn", where, str)
    kind = r.choice(enc, "type", where, ENCRYPTION_TYPES)
    if kind is None and "type" not in enc:
        kind = EncryptionType.CUSTOMER_KEY if arn or key else EncryptionType.KMS
    if kind in (EncryptionType.DEFAULT, EncryptionType.KMS):
        if arn is not None:
            r.problems.add(
                join(where, "kms_key_arn"),
                f"type {kind} takes no key ARN (only CUSTOMER_KEY does)",
                enc,
                "kms_key_arn",
            )
        return EncryptionSpec(EncryptionType(kind))
    if kind is None:
        return EncryptionSpec(EncryptionType.KMS)  # invalid type, already reported
    arn = arn or key
    if arn is None:
        r.problems.add(
            join(where, "kms_key_arn"),
            "type CUSTOMER_KEY needs a KMS key ARN or alias ARN (or pass --kms-key)",
            enc,
        )
        return EncryptionSpec(EncryptionType.CUSTOMER_KEY)
    check_key_arn(r, arn, join(where, "kms_key_arn"), region, enc)
    return EncryptionSpec(EncryptionType.CUSTOMER_KEY, arn)


def read_replicas(
    r: FieldReader,
    node: Mapping[str, Any],
    region: str | None,
    encryption: EncryptionSpec,
    baseline: Baseline,
) -> tuple[ReplicaSpec, ...]:
    out: list[ReplicaSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.items(node, "replicas", "")):
        where = f"replicas[{i}]"
        item = r.mapping(
            {"region": raw} if isinstance(raw, str) else raw, where, ("region", "kms_key_arn")
        )
        name = r.get(item, "region", where, str)
        if name is None or not rules.REGION_NAME.match(name):
            r.problems.add(
                join(where, "region"), f"expected an AWS region name, got {name!r}", item
            )
            continue
        if name == region:
            r.problems.add(join(where, "region"), "the table's own region is not a replica", item)
        if name in seen:
            r.problems.add(join(where, "region"), f"{name} is listed twice", item)
        seen.add(name)
        arn = r.get(item, "kms_key_arn", where, str)
        arn = _replica_key(r, arn, name, join(where, "kms_key_arn"), encryption, baseline, item)
        out.append(ReplicaSpec(name, arn))
    return tuple(out)


def _replica_key(
    r: FieldReader,
    arn: str | None,
    region: str,
    where: str,
    encryption: EncryptionSpec,
    baseline: Baseline,
    node: Any,
) -> str | None:
    if encryption.type is not EncryptionType.CUSTOMER_KEY:
        if arn is not None:
            r.problems.add(where, f"the table uses {encryption.type}: replicas take no key", node)
        return None
    arn = arn or _multi_region_peer(encryption.kms_key_arn, region) or _allowed_in(baseline, region)
    if arn is None:
        r.problems.add(
            where,
            f"the table uses a customer key, so the replica in {region} needs a customer key "
            "in that region (KMS keys are regional)",
            node,
        )
        return None
    check_key_arn(r, arn, where, region, node)
    return arn


def _multi_region_peer(arn: str | None, region: str) -> str | None:
    parsed = rules.parse_kms_arn(arn or "")
    if parsed is None or not parsed.name.startswith("mrk-"):
        return None
    return f"arn:{parsed.partition}:kms:{region}:{parsed.account}:key/{parsed.name}"


def _allowed_in(baseline: Baseline, region: str) -> str | None:
    for arn in baseline.allowed_kms_keys:
        parsed = rules.parse_kms_arn(arn)
        if parsed is not None and parsed.region == region:
            return arn
    return None


def read_tags(r: FieldReader, node: Mapping[str, Any], defaults: SpecDefaults) -> dict[str, str]:
    """Schema tags, overridden by --tag; every required tag key must have a value."""
    raw = node.get("tags")
    tags: dict[str, str] = {}
    if raw is not None and not isinstance(raw, Mapping):
        r.problems.add("tags", "expected a mapping of tag key to value", node, "tags")
    for key, value in (raw or {}).items() if isinstance(raw, Mapping) else ():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            r.problems.add(f"tags.{key}", "a tag value must be a string", raw, key)
            continue
        tags[str(key)] = str(value)
    tags.update(defaults.tags)
    for key, value in tags.items():
        for problem in rules.tag_problems(key, value):
            r.problems.add(f"tags.{key}", problem, raw, key)
    if len(tags) > rules.MAX_TAGS:
        r.problems.add("tags", f"at most {rules.MAX_TAGS} tags per table, got {len(tags)}", node)
    if defaults.enforce_required_tags:
        for key in defaults.baseline.required_tags:
            if key not in tags:
                r.problems.add(
                    f"tags.{key}",
                    "required by baseline.required_tags: give it a value in the schema or "
                    f"with --tag {key}=VALUE",
                    node,
                    "tags",
                )
    return tags


def read_resource_policy(r: FieldReader, node: Mapping[str, Any]) -> dict[str, Any] | None:
    """A policy document (mapping or JSON text) with a Statement list, at most 20 KB."""
    raw = node.get("resource_policy")
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            r.problems.add("resource_policy", f"not valid JSON: {exc}", node, "resource_policy")
            return None
    if not isinstance(raw, Mapping):
        r.problems.add("resource_policy", "expected a policy document", node, "resource_policy")
        return None
    document = json.loads(json.dumps(raw))  # plain dicts, no line bookkeeping
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        r.problems.add("resource_policy.Statement", "a policy needs a list of statements", raw)
        return None
    for i, stmt in enumerate(statements):
        if not isinstance(stmt, Mapping) or stmt.get("Effect") not in ("Allow", "Deny"):
            r.problems.add(f"resource_policy.Statement[{i}]", "needs Effect Allow or Deny", raw)
        elif "Principal" not in stmt and "NotPrincipal" not in stmt:
            r.problems.add(
                f"resource_policy.Statement[{i}]",
                "a resource policy statement needs a Principal",
                raw,
            )
    if len(json.dumps(document).encode()) > rules.MAX_POLICY_BYTES:
        r.problems.add("resource_policy", "larger than 20 KB (the AWS limit)", node)
    return dict(document)


__all__ = ["read_encryption", "read_replicas", "read_resource_policy", "read_tags"]
