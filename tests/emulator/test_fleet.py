"""The demo fleet: seeded through the server, and it contains what the manifest says.

Besides checking the seeded state, several expected verdicts are re-derived here from what
the emulator reports (a small independent oracle), so the manifest cannot drift from reality.
"""

from __future__ import annotations

import boto3
import pytest

from dynaguard.emulator import FleetManifest, seed_demo_fleet
from dynaguard.emulator import fleet_spec as spec
from tests.emulator.conftest import NO_RETRY

pytestmark = pytest.mark.slow

ALL_CONTROLS = {f"DDB.{n:03d}" for n in range(1, 19)}


@pytest.fixture(scope="module")
def fleet(emulator) -> FleetManifest:
    emulator.reset()
    return seed_demo_fleet(emulator.endpoint_url)


@pytest.fixture(scope="module")
def client(emulator):
    def make(service, region="us-east-1"):
        return boto3.client(service, config=NO_RETRY, **emulator.client_kwargs(region))

    return make


def test_the_manifest_is_complete(fleet):
    manifest = fleet
    assert {cid for cid, _, _ in manifest.expected} == ALL_CONTROLS
    assert set(manifest.expected.values()) <= {"PASS", "FAIL", "NOT_APPLICABLE"}
    for table in manifest.tables:
        for control in spec.TABLE_CONTROLS:
            assert (control, table, manifest.primary_region) in manifest.expected
    # Mixed posture: every control that can fail does fail somewhere, and passes somewhere.
    for control in ALL_CONTROLS - {"DDB.010", "DDB.011"}:
        statuses = set(manifest.expected_for(control).values())
        assert {"PASS", "FAIL"} <= statuses, control
    assert manifest.baseline_overrides["required_tags"] == spec.REQUIRED_TAGS


def test_tables_exist_with_the_designed_settings(fleet, client):
    manifest = fleet
    ddb, kms = client("dynamodb"), client("kms")
    assert sorted(ddb.list_tables()["TableNames"]) == sorted(manifest.tables)
    home = manifest.primary_region
    for name in manifest.tables:
        table = ddb.describe_table(TableName=name)["Table"]
        sse = table.get("SSEDescription")
        customer = sse is not None and (
            kms.describe_key(KeyId=sse["KMSMasterKeyArn"])["KeyMetadata"]["KeyManager"]
            == "CUSTOMER"
        )
        assert manifest.expected[("DDB.001", name, home)] == ("PASS" if customer else "FAIL")
        pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"
        ]
        pitr_ok = pitr["PointInTimeRecoveryStatus"] == "ENABLED" and (
            pitr.get("RecoveryPeriodInDays", 35) >= 35
        )
        assert manifest.expected[("DDB.002", name, home)] == ("PASS" if pitr_ok else "FAIL")
        assert manifest.expected[("DDB.003", name, home)] == (
            "PASS" if table["DeletionProtectionEnabled"] else "FAIL"
        )
        stream = table.get("StreamSpecification", {})
        assert manifest.expected[("DDB.013", name, home)] == (
            "PASS" if stream.get("StreamViewType") == "NEW_AND_OLD_IMAGES" else "FAIL"
        )
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert manifest.expected[("DDB.014", name, home)] == (
            "PASS" if ttl["TimeToLiveStatus"] == "ENABLED" else "FAIL"
        )
        tags = {t["Key"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
        assert manifest.expected[("DDB.017", name, home)] == (
            "PASS" if set(spec.REQUIRED_TAGS) <= tags else "FAIL"
        )


def test_global_table_replicas_exist_and_only_the_first_is_compliant(fleet, client):
    manifest = fleet
    replica_region, second = manifest.replica_regions
    assert manifest.global_tables == {"orders": (replica_region, second)}
    listed = client("dynamodb").describe_table(TableName="orders")["Table"]["Replicas"]
    assert [r["RegionName"] for r in listed] == [replica_region, second]
    for region in (replica_region, second):
        ddb = client("dynamodb", region)
        table = ddb.describe_table(TableName="orders")["Table"]
        assert table["GlobalTableVersion"] == "2019.11.21"
        key = client("kms", region).describe_key(KeyId=table["SSEDescription"]["KMSMasterKeyArn"])
        customer = key["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        pitr = ddb.describe_continuous_backups(TableName="orders")["ContinuousBackupsDescription"]
        enabled = pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert manifest.expected[("DDB.010", "orders", region)] == ("PASS" if customer else "FAIL")
        assert manifest.expected[("DDB.011", "orders", region)] == ("PASS" if enabled else "FAIL")
    assert manifest.expected[("DDB.010", "orders", replica_region)] == "PASS"
    assert manifest.expected[("DDB.010", "orders", second)] == "FAIL"


def test_dax_clusters_encryption_and_zones(fleet, client):
    manifest = fleet
    clusters = {c["ClusterName"]: c for c in client("dax").describe_clusters()["Clusters"]}
    assert sorted(clusters) == sorted(manifest.dax_clusters)
    home = manifest.primary_region
    for name, cluster in clusters.items():
        zones = [n["AvailabilityZone"] for n in cluster["Nodes"]]
        sse = cluster["SSEDescription"]["Status"] == "ENABLED"
        tls = cluster["ClusterEndpointEncryptionType"] == "TLS"
        assert manifest.expected[("DDB.007", name, home)] == ("PASS" if sse else "FAIL")
        assert manifest.expected[("DDB.008", name, home)] == ("PASS" if tls else "FAIL")
        assert manifest.expected[("DDB.009", name, home)] == (
            "PASS" if len(set(zones)) >= 2 else "FAIL"
        )
    assert len({n["AvailabilityZone"] for n in clusters["dax-sentinel"]["Nodes"]}) == 3
    assert len(clusters["dax-stacked"]["Nodes"]) == 3  # three nodes, one zone


def test_backup_selections_are_readable(fleet, client):
    manifest = fleet
    backup = client("backup")
    plans = backup.list_backup_plans()["BackupPlansList"]
    assert [p["BackupPlanId"] for p in plans] == [manifest.backup_plan_id]
    listed = backup.list_backup_selections(BackupPlanId=manifest.backup_plan_id)
    ids = {s["SelectionName"]: s["SelectionId"] for s in listed["BackupSelectionsList"]}
    assert ids == dict(manifest.backup_selections)
    got = {
        name: backup.get_backup_selection(BackupPlanId=manifest.backup_plan_id, SelectionId=sid)[
            "BackupSelection"
        ]
        for name, sid in ids.items()
    }
    assert got["tagged-daily"]["ListOfTags"][0]["ConditionValue"] == "daily"
    assert got["catalog-and-audit"]["NotResources"][0].endswith(":table/audit-scratch")
    assert got["gold-tier"]["Conditions"]["StringEquals"][0]["ConditionValue"] == "gold"


def test_access_iam_vpcs_keys_and_scaling(fleet, client):
    manifest = fleet
    home = manifest.primary_region
    policy = client("dynamodb").get_resource_policy(
        ResourceArn=f"arn:aws:dynamodb:{home}:{manifest.account_id}:table/catalog"
    )["Policy"]
    assert spec.UNTRUSTED_ACCOUNT in policy

    details = client("iam").get_account_authorization_details(Filter=["Role"])
    attached = {
        r["RoleName"]: [p["PolicyName"] for p in r["AttachedManagedPolicies"]]
        for r in details["RoleDetailList"]
    }
    assert attached["app-admin"] == ["dynamodb-full-wildcard"]
    assert set(manifest.iam_roles) <= set(attached)

    ec2 = client("ec2")
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    with_endpoint = {e["VpcId"] for e in endpoints if e["ServiceName"].endswith(".dynamodb")}
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert vpcs == set(manifest.vpcs.values())
    for vpc_id in vpcs:
        assert manifest.expected[("DDB.015", vpc_id, home)] == (
            "PASS" if vpc_id in with_endpoint else "FAIL"
        )

    for (key_arn, _), status in manifest.expected_for("DDB.016").items():
        region = key_arn.split(":")[3]
        kms = client("kms", region)
        meta = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
        if meta["KeyManager"] == "AWS":
            assert status == "NOT_APPLICABLE"
        else:
            rotated = kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"]
            assert status == ("PASS" if rotated else "FAIL")

    aas = client("application-autoscaling")
    targets = {
        (t["ResourceId"], t["ScalableDimension"])
        for t in aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    }
    policies = {
        (p["ResourceId"], p["ScalableDimension"])
        for page in aas.get_paginator("describe_scaling_policies").paginate(
            ServiceNamespace="dynamodb"
        )
        for p in page["ScalingPolicies"]
    }
    assert ("table/catalog/index/by-category", "dynamodb:index:ReadCapacityUnits") in targets
    assert ("table/catalog/index/by-category", "dynamodb:index:ReadCapacityUnits") not in policies
    assert ("table/catalog", "dynamodb:table:WriteCapacityUnits") in policies
    assert ("table/audit-scratch", "dynamodb:table:ReadCapacityUnits") in targets
    assert not {p for p in policies if p[0] == "table/audit-scratch"}
    assert not {t for t in targets if t[0] == "table/audit-log"}
