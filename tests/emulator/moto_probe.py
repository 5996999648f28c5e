"""Probe UNPATCHED moto for the gaps that ``dynaguard.emulator.patches`` fills.

Run as ``python -m tests.emulator.moto_probe`` in a fresh process (the patches change moto's
classes for the whole process, so the test suite's own process cannot see moto as shipped).
Prints one JSON object: gap id -> what moto did. ``test_moto_canary`` compares it with the
behaviour each patch was written against, so a moto upgrade that changes one fails loudly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

for _name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ[_name] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)  # the IAM-1 gap is moto without it

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto import mock_aws  # noqa: E402

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
KEY_SCHEMA = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def client(service: str, region: str = "us-east-1") -> Any:
    return boto3.client(service, region_name=region, config=NO_RETRY)


def error_code(call: Callable[[], Any]) -> str | None:
    try:
        call()
    except Exception as exc:  # a botocore ClientError, or moto's NotImplementedError
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            return str(response.get("Error", {}).get("Code"))
        return type(exc).__name__
    return None


def probe() -> dict[str, Any]:
    ddb, kms = client("dynamodb"), client("kms")
    out: dict[str, Any] = {}
    key = kms.create_key()["KeyMetadata"]["Arn"]
    ddb.create_table(TableName="t", **KEY_SCHEMA)
    ddb.update_table(
        TableName="t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )
    out["DDB-1 update_table SSESpecification applied"] = (
        "SSEDescription" in (ddb.describe_table(TableName="t")["Table"])
    )
    kms.create_alias(AliasName="alias/probe", TargetKeyId=key)
    ddb.create_table(
        TableName="a",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/probe"},
        **KEY_SCHEMA,
    )
    reported = ddb.describe_table(TableName="a")["Table"]["SSEDescription"]["KMSMasterKeyArn"]
    out["DDB-2 create_table reports the key ARN for an alias"] = reported == key
    ddb.update_table(TableName="t", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    # No replica is ever created, so DDB-5 (a deleted member leaves the group) cannot arise.
    out["DDB-3/4/5 replicas listed"] = bool(
        ddb.describe_table(TableName="t")["Table"].get("Replicas")
    )
    ddb.update_table(
        TableName="t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    stream_arn = ddb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    out["DDB-6 stream policy error"] = error_code(
        lambda: ddb.get_resource_policy(ResourceArn=stream_arn)
    )
    ddb.update_table(TableName="t", BillingMode="PAY_PER_REQUEST")
    out["DDB-7 status right after update_table"] = ddb.describe_table(TableName="t")["Table"][
        "TableStatus"
    ]
    ddb.update_table(TableName="t", StreamSpecification={"StreamEnabled": False})
    out["DDB-8 stream re-enable error"] = error_code(
        lambda: ddb.update_table(
            TableName="t",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
    )
    managed = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    out["KMS-1 alias/aws/dynamodb KeyManager"] = managed.get("KeyManager")
    dax = client("dax")
    dax.create_cluster(
        ClusterName="probe",
        NodeType="dax.t3.small",
        ReplicationFactor=2,
        IamRoleArn="arn:aws:iam::123456789012:role/dax",
        AvailabilityZones=["us-east-1b", "us-east-1c"],
    )
    zones: set[str] = set()
    for _ in range(5):  # nodes appear once the cluster is available
        nodes = dax.describe_clusters(ClusterNames=["probe"])["Clusters"][0].get("Nodes") or []
        zones = {n.get("AvailabilityZone") for n in nodes}
    out["DAX-1 node zones"] = sorted(z for z in zones if z)
    dax.increase_replication_factor(
        ClusterName="probe", NewReplicationFactor=3, AvailabilityZones=["us-east-1c"]
    )
    nodes = dax.describe_clusters(ClusterNames=["probe"])["Clusters"][0].get("Nodes") or []
    out["DAX-2 node zones after increase"] = sorted({n.get("AvailabilityZone") for n in nodes})
    backup = client("backup")
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "p",
            "Rules": [{"RuleName": "r", "TargetBackupVaultName": "Default"}],
        }
    )["BackupPlanId"]
    out["BAK-1 create_backup_selection error"] = error_code(
        lambda: backup.create_backup_selection(
            BackupPlanId=plan,
            BackupSelection={
                "SelectionName": "s",
                "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
                "Resources": ["*"],
            },
        )
    )
    out["BAK-2 describe_region_settings error"] = error_code(backup.describe_region_settings)
    iam = client("iam")
    iam.create_role(RoleName="probe", AssumeRolePolicyDocument="{}")
    out["IAM-1 attach AWS managed policy error"] = error_code(
        lambda: iam.attach_role_policy(
            RoleName="probe", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        )
    )
    out["AAS-1 policies matched by ResourceId substring"] = _scaling_substring()
    out["AAS-2 scalable target pages end"] = _targets_paging_ends()
    hub = client("securityhub")
    hub.enable_security_hub()
    out["SHB-1 batch_update_findings error"] = error_code(
        lambda: hub.batch_update_findings(
            FindingIdentifiers=[{"Id": "x", "ProductArn": "arn:aws:securityhub:::product/x"}],
            Workflow={"Status": "RESOLVED"},
        )
    )
    out["ACC-1 list_regions error"] = error_code(lambda: client("account").list_regions())
    regions = [r["RegionName"] for r in client("ec2").describe_regions()["Regions"]]
    out["EC2-1 describe_regions lists other partitions"] = any(
        r.startswith(("us-gov-", "cn-")) for r in regions
    )
    out.update(_restore_gaps())
    return out


def _restore_gaps() -> dict[str, Any]:
    """DDB-9: a restore from a table without PITR, and the SSE override on a restore."""
    ddb = client("dynamodb")
    ddb.create_table(TableName="restore-src", **KEY_SCHEMA)
    refused = error_code(
        lambda: ddb.restore_table_to_point_in_time(
            SourceTableName="restore-src", TargetTableName="restore-a"
        )
    )
    ddb.restore_table_to_point_in_time(
        SourceTableName="restore-src",
        TargetTableName="restore-b",
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS"},
    )
    sse = ddb.describe_table(TableName="restore-b")["Table"].get("SSEDescription")
    return {
        "DDB-9 restore without PITR error": refused,
        "DDB-9 restore SSE override applied": sse is not None,
    }


def _scaling_substring() -> bool:
    aas = client("application-autoscaling")
    for resource, dimension in (
        ("table/s", "dynamodb:table:ReadCapacityUnits"),
        ("table/s/index/i", "dynamodb:index:ReadCapacityUnits"),
    ):
        aas.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=resource,
            ScalableDimension=dimension,
            MinCapacity=1,
            MaxCapacity=10,
        )
        aas.put_scaling_policy(
            PolicyName=f"p-{resource}",
            ServiceNamespace="dynamodb",
            ResourceId=resource,
            ScalableDimension=dimension,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "DynamoDBReadCapacityUtilization"
                },
            },
        )
    # The index's query also returns the table's policy ("table/s" in "table/s/index/i").
    found = aas.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId="table/s/index/i")
    return len(found["ScalingPolicies"]) > 1


def _targets_paging_ends() -> bool:
    aas = client("application-autoscaling")
    for i in range(120):
        aas.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=f"table/many-{i}",
            ScalableDimension="dynamodb:table:WriteCapacityUnits",
            MinCapacity=1,
            MaxCapacity=10,
        )
    token, pages = None, 0
    while pages < 10:
        kwargs = {"NextToken": token} if token else {}
        page = aas.describe_scalable_targets(ServiceNamespace="dynamodb", **kwargs)
        pages += 1
        token = page.get("NextToken")
        if not token:
            return True
    return False


def main() -> None:
    with mock_aws():
        print(json.dumps(probe(), sort_keys=True))


if __name__ == "__main__":
    main()
