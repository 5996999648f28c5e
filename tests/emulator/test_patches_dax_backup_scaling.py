"""DAX-1/2, BAK-1, AAS-1/2: DAX zones, backup selections, autoscaling describes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/dax"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def _nodes(dax, name):
    for _ in range(10):  # moto reports nodes once the cluster is available (a few describes)
        cluster = dax.describe_clusters(ClusterNames=[name])["Clusters"][0]
        if cluster["Status"] == "available":
            return [n["AvailabilityZone"] for n in cluster["Nodes"]]
    raise AssertionError("cluster never became available")


def _cluster(dax, name, factor, **extra):
    dax.create_cluster(
        ClusterName=name,
        NodeType="dax.r5.large",
        ReplicationFactor=factor,
        IamRoleArn=ROLE,
        **extra,
    )


# --- DAX ---------------------------------------------------------------------------------------


def test_dax_nodes_go_to_the_requested_zones(aws):
    dax = aws("dax")
    _cluster(dax, "spread", 3, AvailabilityZones=ZONES)
    _cluster(dax, "single", 2, AvailabilityZones=["us-east-1b", "us-east-1b"])
    assert _nodes(dax, "spread") == ZONES
    assert _nodes(dax, "single") == ["us-east-1b", "us-east-1b"]


def test_dax_without_zones_spreads_nodes_like_aws(aws):
    dax = aws("dax")
    _cluster(dax, "auto", 3)
    assert len(set(_nodes(dax, "auto"))) == 3


def test_dax_zone_count_must_match_and_zones_must_exist(aws):
    dax = aws("dax")
    for zones in (["us-east-1a"], ["us-east-1a", "us-east-1b", "eu-west-1a"]):
        with pytest.raises(ClientError) as err:
            _cluster(dax, "bad", 3, AvailabilityZones=zones)
        assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_increase_replication_factor_places_new_nodes(aws):
    dax = aws("dax")
    _cluster(dax, "grow", 1, AvailabilityZones=["us-east-1a"])
    _nodes(dax, "grow")
    dax.increase_replication_factor(
        ClusterName="grow", NewReplicationFactor=3, AvailabilityZones=["us-east-1b", "us-east-1c"]
    )
    assert _nodes(dax, "grow") == ZONES
    dax.increase_replication_factor(ClusterName="grow", NewReplicationFactor=4)
    assert len(_nodes(dax, "grow")) == 4


# --- AWS Backup selections ---------------------------------------------------------------------


@pytest.fixture
def plan_id(aws):
    backup = aws("backup")
    backup.create_backup_vault(BackupVaultName="v")
    plan = {"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]}
    return backup.create_backup_plan(BackupPlan=plan)["BackupPlanId"]


def test_backup_selection_round_trip(aws, plan_id):
    backup = aws("backup")
    selection = {
        "SelectionName": "by-tag",
        "IamRoleArn": ROLE,
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}
        ],
        "NotResources": ["arn:aws:dynamodb:us-east-1:123456789012:table/scratch"],
        "Conditions": {
            "StringLike": [{"ConditionKey": "aws:ResourceTag/team", "ConditionValue": "pay*"}]
        },
    }
    created = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    assert created["BackupPlanId"] == plan_id
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["SelectionId"] == created["SelectionId"]
    assert got["BackupSelection"] == {
        **selection,
        "Resources": [],
        "Conditions": {
            "StringEquals": [],
            "StringNotEquals": [],
            "StringLike": selection["Conditions"]["StringLike"],
            "StringNotLike": [],
        },
    }
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [
        (created["SelectionId"], "by-tag", ROLE)
    ]
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    with pytest.raises(ClientError) as err:
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_backup_selections_page_and_guard_the_plan(aws, plan_id):
    backup = aws("backup")
    for n in range(5):
        backup.create_backup_selection(
            BackupPlanId=plan_id,
            BackupSelection={"SelectionName": f"s{n}", "IamRoleArn": ROLE, "Resources": ["*"]},
        )
    pages = backup.get_paginator("list_backup_selections").paginate(
        BackupPlanId=plan_id, PaginationConfig={"PageSize": 2}
    )
    names = [s["SelectionName"] for page in pages for s in page["BackupSelectionsList"]]
    assert names == [f"s{n}" for n in range(5)]
    with pytest.raises(ClientError) as err:
        backup.delete_backup_plan(BackupPlanId=plan_id)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_backup_selection_of_an_unknown_plan_is_not_found(aws):
    with pytest.raises(ClientError) as err:
        aws("backup").list_backup_selections(BackupPlanId="does-not-exist")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- Application Auto Scaling -------------------------------------------------------------------


def _target(aas, resource_id, dimension):
    aas.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=resource_id,
        ScalableDimension=dimension,
        MinCapacity=1,
        MaxCapacity=10,
    )


def _policy(aas, name, resource_id, dimension, metric="DynamoDBReadCapacityUtilization"):
    aas.put_scaling_policy(
        PolicyName=name,
        ServiceNamespace="dynamodb",
        ResourceId=resource_id,
        ScalableDimension=dimension,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        },
    )


def test_scaling_policies_match_resource_id_exactly_and_honour_names(aws):
    aas = aws("application-autoscaling")
    _target(aas, "table/orders", "dynamodb:table:ReadCapacityUnits")
    _target(aas, "table/orders/index/by-day", "dynamodb:index:ReadCapacityUnits")
    _policy(aas, "table-read", "table/orders", "dynamodb:table:ReadCapacityUnits")

    def names(**kwargs):
        out = aas.describe_scaling_policies(ServiceNamespace="dynamodb", **kwargs)
        return [p["PolicyName"] for p in out["ScalingPolicies"]]

    assert names(ResourceId="table/orders/index/by-day") == []  # moto matched a substring
    assert names(ResourceId="table/orders") == ["table-read"]
    assert names(PolicyNames=["table-read"]) == ["table-read"]
    assert names(PolicyNames=["other"]) == []


def test_paging_past_100_targets_and_policies_terminates(aws):
    aas = aws("application-autoscaling")
    for n in range(120):
        _target(aas, f"table/t{n}", "dynamodb:table:ReadCapacityUnits")
    for n in range(25):
        _policy(aas, f"p{n}", f"table/t{n}", "dynamodb:table:ReadCapacityUnits")
    targets = aas.get_paginator("describe_scalable_targets").paginate(ServiceNamespace="dynamodb")
    ids = [t["ResourceId"] for page in targets for t in page["ScalableTargets"]]
    assert len(ids) == len(set(ids)) == 120
    first = aas.describe_scaling_policies(ServiceNamespace="dynamodb")
    assert len(first["ScalingPolicies"]) == 10  # AWS's default page size
    policies = aas.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="dynamodb")
    names = [p["PolicyName"] for page in policies for p in page["ScalingPolicies"]]
    assert sorted(names) == sorted(f"p{n}" for n in range(25))


def test_backup_region_settings_start_opted_in_and_update_per_region(aws: Any) -> None:
    """BAK-2: DescribeRegionSettings / UpdateRegionSettings, per account and Region."""
    east, west = aws("backup"), aws("backup", "eu-west-1")
    settings = east.describe_region_settings()
    assert settings["ResourceTypeOptInPreference"]["DynamoDB"] is True
    assert settings["ResourceTypeManagementPreference"]["DynamoDB"] is False
    east.update_region_settings(
        ResourceTypeOptInPreference={"DynamoDB": False},
        ResourceTypeManagementPreference={"DynamoDB": True},
    )
    after = east.describe_region_settings()
    assert after["ResourceTypeOptInPreference"]["DynamoDB"] is False
    assert after["ResourceTypeOptInPreference"]["EBS"] is True  # merged, not replaced
    assert after["ResourceTypeManagementPreference"]["DynamoDB"] is True
    assert west.describe_region_settings()["ResourceTypeOptInPreference"]["DynamoDB"] is True


def test_backup_region_settings_through_the_server(server: Any) -> None:
    backup = server("backup")
    backup.update_region_settings(ResourceTypeOptInPreference={"DynamoDB": False})
    assert backup.describe_region_settings()["ResourceTypeOptInPreference"]["DynamoDB"] is False
