"""The in-process server: lifecycle, reset, client helpers, and the patches through HTTP."""

from __future__ import annotations

import os
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from dynaguard.emulator import client_env, client_kwargs, start_emulator
from tests.emulator.conftest import NO_RETRY, make_key, make_table

pytestmark = pytest.mark.slow


def test_start_stop_and_context_manager():
    environ_before = dict(os.environ)
    with start_emulator() as emu:
        assert emu.running
        assert emu.endpoint_url.startswith("http://127.0.0.1:")
        assert emu.port > 0
        ddb = boto3.client("dynamodb", config=NO_RETRY, **emu.client_kwargs())
        assert ddb.list_tables()["TableNames"] == []
        url = emu.endpoint_url
    assert not emu.running
    assert dict(os.environ) == environ_before  # the library sets nothing global
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/moto-api/", timeout=2)
    emu.stop()  # stopping twice is harmless


def test_two_emulators_get_different_free_ports(emulator):
    with start_emulator() as other:
        assert other.port != emulator.port


def test_reset_forgets_everything(emulator, server):
    make_table(server("dynamodb"))
    make_table(server("dynamodb", "eu-west-1"))
    emulator.reset()
    assert server("dynamodb").list_tables()["TableNames"] == []
    assert server("dynamodb", "eu-west-1").list_tables()["TableNames"] == []


def test_client_helpers():
    kwargs = client_kwargs("http://127.0.0.1:1234", "eu-west-1")
    assert kwargs["endpoint_url"] == "http://127.0.0.1:1234"
    assert kwargs["region_name"] == "eu-west-1"
    assert kwargs["aws_access_key_id"] == kwargs["aws_secret_access_key"] == "testing"
    env = client_env("http://127.0.0.1:1234")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_env_points_a_default_boto3_client_at_the_emulator(emulator, server, monkeypatch):
    for name, value in emulator.env("eu-west-1").items():
        monkeypatch.setenv(name, value)
    make_table(boto3.client("dynamodb", config=NO_RETRY))
    assert server("dynamodb", "eu-west-1").list_tables()["TableNames"] == ["t"]


def test_sse_and_replicas_through_the_server(server):
    ddb = server("dynamodb")
    cmk = make_key(server("kms"), "alias/cmk")
    eu_key = make_key(server("kms", "eu-west-1"), "alias/eu")
    make_table(ddb)
    ddb.update_table(
        TableName="t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/cmk"},
    )
    ddb.update_table(
        TableName="t",
        ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1", "KMSMasterKeyId": "alias/eu"}}],
    )
    table = ddb.describe_table(TableName="t")["Table"]
    assert table["SSEDescription"]["KMSMasterKeyArn"] == cmk["Arn"]
    assert table["Replicas"] == [
        {"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE", "KMSMasterKeyId": eu_key["Arn"]}
    ]
    replica = server("dynamodb", "eu-west-1").describe_table(TableName="t")["Table"]
    assert replica["Replicas"] == [
        {"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE", "KMSMasterKeyId": cmk["Arn"]}
    ]
    with pytest.raises(ClientError) as err:
        ddb.update_table(
            TableName="t", SSESpecification={"Enabled": True, "KMSMasterKeyId": "alias/missing"}
        )
    assert err.value.response["Error"]["Code"] == "ValidationException"
    managed = server("kms").describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert managed["KeyManager"] == "AWS"


def test_backup_dax_and_scaling_through_the_server(server):
    backup = server("backup")
    backup.create_backup_vault(BackupVaultName="v")
    plan = {"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]}
    plan_id = backup.create_backup_plan(BackupPlan=plan)["BackupPlanId"]
    selection = {
        "SelectionName": "all",
        "IamRoleArn": "arn:aws:iam::123456789012:role/b",
        "Resources": ["arn:aws:dynamodb:*:*:table/*"],
    }
    created = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["BackupSelection"]["Resources"] == selection["Resources"]

    dax = server("dax")
    dax.create_cluster(
        ClusterName="web",
        NodeType="dax.r5.large",
        ReplicationFactor=2,
        IamRoleArn="arn:aws:iam::123456789012:role/dax",
        AvailabilityZones=["us-east-1a", "us-east-1c"],
    )
    for _ in range(10):
        cluster = dax.describe_clusters()["Clusters"][0]
        if cluster["Status"] == "available":
            break
    assert [n["AvailabilityZone"] for n in cluster["Nodes"]] == ["us-east-1a", "us-east-1c"]

    aas = server("application-autoscaling")
    for resource in ("table/a", "table/a/index/i"):
        dimension = (
            "dynamodb:index:ReadCapacityUnits"
            if "index" in resource
            else ("dynamodb:table:ReadCapacityUnits")
        )
        aas.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=resource,
            ScalableDimension=dimension,
            MinCapacity=1,
            MaxCapacity=5,
        )
    aas.put_scaling_policy(
        PolicyName="a-read",
        ServiceNamespace="dynamodb",
        ResourceId="table/a",
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "DynamoDBReadCapacityUtilization"
            },
        },
    )
    index_policies = aas.describe_scaling_policies(
        ServiceNamespace="dynamodb", ResourceId="table/a/index/i"
    )["ScalingPolicies"]
    assert index_policies == []
