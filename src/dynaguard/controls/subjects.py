"""Enumerate the subjects a control of each kind judges, within one scope.

A region-wide read that failed (ListTables denied, DescribeClusters throttled) yields an Unknown
instead of a list, and the evaluator turns it into one UNKNOWN finding per control for the whole
region: a failed read is never a missing finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dynaguard.controls.base import Subject
from dynaguard.model import (
    DaxCluster,
    Fact,
    IamPolicy,
    KmsKey,
    Known,
    Origin,
    RegionScope,
    SubjectKind,
    Table,
    Unknown,
    Vpc,
)


@dataclass(frozen=True, slots=True)
class KeyUse:
    """A KMS key and the tables/replicas that use it: the subject of key-level controls."""

    key_ref: str
    key: Fact[KmsKey]
    used_by: tuple[str, ...]
    account_id: str
    region: str


# The model type of each kind of subject: a control declares its subject by type.
KIND_OF: Mapping[type, SubjectKind] = {
    Table: SubjectKind.TABLE,
    DaxCluster: SubjectKind.DAX_CLUSTER,
    Vpc: SubjectKind.VPC,
    IamPolicy: SubjectKind.IAM_POLICY,
    KeyUse: SubjectKind.KMS_KEY,
}


def keys_in_use(scope: RegionScope) -> list[KeyUse]:
    """Distinct KMS keys (not the AWS owned key) used by the scope's tables and replicas."""
    users: dict[str, list[str]] = {}
    regions: dict[str, str] = {}
    for table in scope.table_list():
        enc = table.encryption
        if isinstance(enc, Known) and enc.value.kms and enc.value.key_ref:
            users.setdefault(enc.value.key_ref, []).append(table.name)
            regions.setdefault(enc.value.key_ref, table.region)
        if isinstance(table.replicas, Known):
            for rep in table.replicas.value:
                renc = rep.encryption
                if isinstance(renc, Known) and renc.value.kms and renc.value.key_ref:
                    users.setdefault(renc.value.key_ref, []).append(
                        f"{rep.table_name}@{rep.region}"
                    )
                    regions.setdefault(renc.value.key_ref, rep.region)  # a key lives in one region
    out = []
    for ref, names in users.items():
        key = scope.kms_keys.get(ref, Unknown(f"key {ref} was not described"))
        out.append(KeyUse(ref, key, tuple(names), scope.account_id, regions[ref]))
    return out


def subject_of(obj: object) -> Subject:
    """The finding identity of a model object."""
    if isinstance(obj, Table):
        return Subject(
            "table",
            obj.address or obj.name,
            obj.account_id,
            obj.region,
            obj.arn,
            obj.origin,
            obj.suppressions,
        )
    if isinstance(obj, DaxCluster):
        return Subject(
            "dax_cluster",
            obj.name,
            obj.account_id,
            obj.region,
            obj.arn,
            obj.origin,
            obj.suppressions,
        )
    if isinstance(obj, Vpc):
        return Subject(
            "vpc", obj.vpc_id, obj.account_id, obj.region, obj.arn, obj.origin, obj.suppressions
        )
    if isinstance(obj, IamPolicy):
        return Subject(
            "iam_policy", obj.name, obj.account_id, "global", obj.arn, obj.origin, obj.suppressions
        )
    if isinstance(obj, KeyUse):
        arn = obj.key.value.arn if isinstance(obj.key, Known) else None
        origin = obj.key.value.origin if isinstance(obj.key, Known) else None
        return Subject("kms_key", obj.key_ref, obj.account_id, obj.region, arn, origin)
    raise TypeError(f"not a subject: {type(obj).__name__}")


def region_subjects(scope: RegionScope) -> Mapping[str, Fact[tuple[object, ...]]]:
    """Subjects by kind for one region scope (IAM is account-wide, see account_subjects)."""
    return {
        "table": scope.tables,
        "dax_cluster": scope.dax_clusters,
        "vpc": scope.vpcs,
        "kms_key": _key_subjects(scope),
    }


def _key_subjects(scope: RegionScope) -> Fact[tuple[object, ...]]:
    if isinstance(scope.tables, Unknown):
        return scope.tables
    return Known(tuple(keys_in_use(scope)))


def unknown_subject(kind: str, account_id: str, region: str, origin: Origin | None) -> Subject:
    """A stand-in subject for a whole region (or account) whose listing could not be read."""
    return Subject(
        kind, f"*:{region}" if region != "global" else "*", account_id, region, None, origin
    )
