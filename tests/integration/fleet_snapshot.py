"""Every setting harden can change, read from the fleet: compared before a run and after undo.

PITR and its window, deletion protection, the encryption key (table and replicas), TTL, the
stream's settings, tags, resource policies (table and stream, as documents), auto scaling
targets and policies, CloudWatch alarms, backup selections (by plan and name, with their content), DAX node
count and zones, DynamoDB VPC endpoints, and the rotation of every key that existed before.
Ids that AWS regenerates (revision ids, a re-enabled stream's ARN, selection ids) are left out;
keys and backup plans harden creates are kept by design and left out too.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
CREATED_KEY_ALIAS = "alias/dynaguard-cmk"


def _client(url: str, service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=url)


def _policy(ddb: Any, arn: str | None) -> Any:
    if not arn:
        return None
    try:
        return json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"])
    except ddb.exceptions.PolicyNotFoundException:
        return None


def _table(ddb: Any, name: str) -> dict[str, Any]:
    desc = ddb.describe_table(TableName=name)["Table"]
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    pitr = pitr.get("PointInTimeRecoveryDescription") or {}
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    tags = ddb.list_tags_of_resource(ResourceArn=desc["TableArn"]).get("Tags") or []
    stream = desc.get("StreamSpecification") or {}
    return {
        "deletion_protection": desc.get("DeletionProtectionEnabled"),
        "sse_key": (desc.get("SSEDescription") or {}).get("KMSMasterKeyArn"),
        "pitr": (pitr.get("PointInTimeRecoveryStatus"), pitr.get("RecoveryPeriodInDays")),
        # moto keeps the attribute name of a disabled TTL; AWS reports none: compare it only
        # while TTL is on
        "ttl": (
            ttl.get("TimeToLiveStatus"),
            ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") != "DISABLED" else None,
        ),
        "stream": (bool(stream.get("StreamEnabled")), stream.get("StreamViewType")),
        "tags": sorted((t["Key"], t["Value"]) for t in tags),
        "policy": _policy(ddb, desc["TableArn"]),
        "stream_policy": _policy(ddb, desc.get("LatestStreamArn")),
    }


def _scaling(url: str, region: str) -> dict[str, Any]:
    aas = _client(url, "application-autoscaling", region)
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
    return {
        "targets": sorted(
            (t["ResourceId"], t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"])
            for t in targets
        ),
        "policies": sorted(
            (p["ResourceId"], p["ScalableDimension"], p["PolicyName"], p["PolicyType"])
            for p in policies
        ),
    }


def _backup(url: str, region: str) -> list[Any]:
    backup = _client(url, "backup", region)
    out = []
    for plan in backup.list_backup_plans()["BackupPlansList"]:
        if plan["BackupPlanName"].startswith("dynaguard-"):
            continue  # created by --create-backup-plan: kept by design
        for item in backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])[
            "BackupSelectionsList"
        ]:
            selection = backup.get_backup_selection(
                BackupPlanId=plan["BackupPlanId"], SelectionId=item["SelectionId"]
            )["BackupSelection"]
            out.append(
                (
                    plan["BackupPlanName"],
                    item["SelectionName"],
                    json.dumps(selection, sort_keys=True, default=str),
                )
            )
    return sorted(out)


def _keys(url: str, region: str) -> dict[str, bool]:
    kms = _client(url, "kms", region)
    out = {}
    for key in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        tags = {t["TagKey"] for t in kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])}
        if meta.get("KeyManager") != "CUSTOMER" or "dynaguard:purpose" in tags:
            continue  # AWS's own keys; keys harden created are kept by design
        rotation = kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
        out[meta["Arn"]] = rotation
    return out


def snapshot(url: str) -> dict[str, Any]:
    """The fleet's settings in every demo region."""
    out: dict[str, Any] = {}
    for region in REGIONS:
        ddb = _client(url, "dynamodb", region)
        names = ddb.list_tables()["TableNames"]
        dax = _client(url, "dax", region).describe_clusters()["Clusters"]
        endpoints = _client(url, "ec2", region).describe_vpc_endpoints()["VpcEndpoints"]
        alarms = _client(url, "cloudwatch", region).describe_alarms()["MetricAlarms"]
        out[region] = {
            "tables": {name: _table(ddb, name) for name in sorted(names)},
            "alarms": sorted(
                (a["AlarmName"], a.get("MetricName"), bool(a.get("ActionsEnabled"))) for a in alarms
            ),
            "scaling": _scaling(url, region),
            "backup": _backup(url, region),
            "dax": {
                c["ClusterName"]: sorted(n.get("AvailabilityZone", "") for n in c.get("Nodes", []))
                for c in dax
            },
            "endpoints": sorted(
                (e["VpcId"], e["ServiceName"])
                for e in endpoints
                if str(e.get("State", "")).lower() not in ("deleted", "deleting")
            ),
            "keys": _keys(url, region),
        }
    return out


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, one line per setting."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after), key=str):
            out += differences(before.get(key), after.get(key), f"{path}/{key}")
        return out
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]
