"""Region- and account-wide collectors' mapping to the model, against moto (or a Stubber)."""

from __future__ import annotations

import json
from typing import Any

from dynaguard.model import (
    KeyManager,
    Known,
    Unknown,
)
from dynaguard.sources.aws import AwsOptions, CallRecorder, collect
from tests.aws.conftest import ACCOUNT, Hooks, create_table

REGION = "us-east-1"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "dynamodb:GetItem",
            "Resource": "*",
        }
    ],
}


def scope_of(inventory: Any, region: str = REGION) -> Any:
    return next(s for s in inventory.regions if s.region == region)


def table_of(inventory: Any, name: str, region: str = REGION) -> Any:
    return next(t for t in scope_of(inventory, region).table_list() if t.name == name)


def scan(facts: set[str], recorder: CallRecorder | None = None, **options: Any) -> Any:
    return collect(AwsOptions(**options), frozenset(facts), run_id="t", recorder=recorder)


def known(fact: Any) -> Any:
    assert isinstance(fact, Known), fact
    return fact.value


# -- region-wide reads --------------------------------------------------------------------


def test_scaling_targets_and_policies(aws: Any) -> None:
    create_table(
        aws("dynamodb"),
        "t",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    aas = aws("application-autoscaling")
    dimension = "dynamodb:table:ReadCapacityUnits"
    aas.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId="table/t",
        ScalableDimension=dimension,
        MinCapacity=2,
        MaxCapacity=20,
    )
    aas.put_scaling_policy(
        PolicyName="read",
        ServiceNamespace="dynamodb",
        ResourceId="table/t",
        ScalableDimension=dimension,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 65.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "DynamoDBReadCapacityUtilization"
            },
        },
    )
    scaling = known(scope_of(scan({"region.scaling"})).scaling)
    target = scaling.targets[0]
    assert (target.resource_id, target.dimension) == ("table/t", dimension)
    assert (target.min_capacity, target.max_capacity) == (2, 20)
    policy = scaling.policies[0]
    assert (policy.name, policy.policy_type, policy.target_value) == (
        "read",
        "TargetTrackingScaling",
        65.0,
    )


def test_dax_clusters(aws: Any) -> None:
    role = aws("iam").create_role(RoleName="dax", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    dax = aws("dax")
    dax.create_cluster(
        ClusterName="cache",
        NodeType="dax.t3.small",
        ReplicationFactor=3,
        IamRoleArn=role,
        SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS",
    )
    dax.create_cluster(
        ClusterName="plain", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=role
    )
    first = {c.name: c for c in known(scope_of(scan({"region.dax"})).dax_clusters)}
    # moto lists the nodes only once a cluster is available: until then AZs are unknown
    assert isinstance(first["cache"].node_azs, Unknown)
    assert "0 of 3 nodes" in first["cache"].node_azs.reason
    for _ in range(3):
        dax.describe_clusters()
    clusters = {c.name: c for c in known(scope_of(scan({"region.dax"})).dax_clusters)}
    cache, plain = clusters["cache"], clusters["plain"]
    assert known(cache.sse_enabled) is True and known(plain.sse_enabled) is False
    assert known(cache.endpoint_encryption) == "TLS"
    assert known(plain.endpoint_encryption) == "NONE"
    assert known(cache.replication_factor) == 3
    azs = known(cache.node_azs)
    assert len(azs) == 3 and all(az.startswith(REGION) for az in azs)
    assert cache.arn and cache.arn.endswith(":cache/cache")


def test_dax_in_a_region_without_dax_is_empty_not_unknown(aws: Any) -> None:
    recorder = CallRecorder()
    scope = scope_of(scan({"region.dax"}, recorder, regions=("me-central-1",)), "me-central-1")
    assert known(scope.dax_clusters) == ()
    assert recorder.count("dax:DescribeClusters") == 0


def test_vpcs_and_dynamodb_endpoints_only(aws: Any) -> None:
    ec2 = aws("ec2")
    default_vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    route_table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])[
        "RouteTables"
    ][0]["RouteTableId"]
    for service in ("dynamodb", "s3"):
        ec2.create_vpc_endpoint(
            VpcId=default_vpc,
            ServiceName=f"com.amazonaws.{REGION}.{service}",
            RouteTableIds=[route_table],
        )
    scope = scope_of(scan({"region.vpcs"}))
    vpcs = {v.vpc_id: v for v in known(scope.vpcs)}
    assert set(vpcs) == {default_vpc, other}
    assert vpcs[default_vpc].is_default and not vpcs[other].is_default
    endpoints = known(scope.vpc_endpoints)
    assert [(e.vpc_id, e.service_name) for e in endpoints] == [
        (default_vpc, f"com.amazonaws.{REGION}.dynamodb")
    ]
    assert endpoints[0].endpoint_type == "Gateway"


def test_kms_keys_customer_rotation_and_aws_managed(aws: Any, hooks: Hooks) -> None:
    kms = aws("kms")
    rotating = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotating)
    static = kms.create_key()["KeyMetadata"]["Arn"]
    managed = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
    ddb = aws("dynamodb")
    for name, key in (("a", rotating), ("b", rotating), ("c", static), ("d", managed)):
        create_table(
            ddb, name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
        )
    create_table(ddb, "owned")

    def aws_managed(parsed: dict[str, Any]) -> None:
        if parsed["KeyMetadata"]["Arn"] == managed:  # moto says CUSTOMER; AWS says AWS
            parsed["KeyMetadata"]["KeyManager"] = "AWS"

    hooks.rewrite("kms", "DescribeKey", aws_managed)
    keys = scope_of(scan({"table.describe", "kms.rotation"}, hooks)).kms_keys
    assert set(keys) == {rotating, static, managed}
    assert known(known(keys[rotating]).rotation_enabled) is True
    assert known(known(keys[static]).rotation_enabled) is False
    assert known(keys[static]).manager is KeyManager.CUSTOMER
    assert known(keys[static]).state == "Enabled"
    assert known(keys[managed]).manager is KeyManager.AWS
    assert hooks.count("kms:DescribeKey") == 3  # once per distinct key
    assert hooks.count("kms:GetKeyRotationStatus") == 2  # customer keys only


def test_iam_policies_managed_and_inline_with_principals(aws: Any) -> None:
    iam = aws("iam")
    document = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
    }
    arn = iam.create_policy(PolicyName="ddb-all", PolicyDocument=json.dumps(document))["Policy"]
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    user = iam.create_user(UserName="ann")["User"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=arn["Arn"])
    iam.attach_user_policy(UserName="ann", PolicyArn=arn["Arn"])
    inline = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName="app", PolicyName="extra", PolicyDocument=json.dumps(inline))
    iam.create_group(GroupName="ops")
    iam.put_group_policy(GroupName="ops", PolicyName="extra", PolicyDocument=json.dumps(inline))
    account = scan({"account.iam"}).accounts[0]
    assert account.account_id == ACCOUNT
    policies = {p.name: p for p in known(account.iam_policies)}
    assert set(policies) == {"ddb-all", "role/app/extra", "group/ops/extra"}
    managed = policies["ddb-all"]
    assert managed.kind == "managed" and managed.arn == arn["Arn"]
    assert managed.document.statements == (document["Statement"],)
    assert set(managed.attached_to) == {role, user}
    assert policies["role/app/extra"].kind == "inline"
    assert policies["role/app/extra"].attached_to == (role,)
    assert policies["role/app/extra"].document.statements == tuple(inline["Statement"])


def test_iam_document_as_url_encoded_string_is_decoded() -> None:
    from urllib.parse import quote

    from dynaguard.sources.aws.iam import policy_document

    raw = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*"}]}
    assert policy_document(quote(json.dumps(raw))).statements == tuple(raw["Statement"])
    broken = policy_document(quote("{oops"))
    assert broken.statements == () and broken.parse_error


def test_backup_selections_from_plans(aws: Any, hooks: Hooks) -> None:
    """moto does not implement selections: the backup client is driven by a Stubber."""
    create_table(aws("dynamodb"), "t")  # selections are read where there are tables
    selection = {
        "SelectionName": "ddb-tagged",
        "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
        "Resources": ["arn:aws:dynamodb:*:*:table/*"],
        "NotResources": ["arn:aws:dynamodb:*:*:table/scratch-*"],
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "yes"}
        ],
        "Conditions": {
            "StringEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod"}],
            "StringNotLike": [{"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "dev*"}],
            "StringLike": [],
            "StringNotEquals": [],
        },
    }

    def script(stub: Any) -> None:
        stub.add_response(
            "list_backup_plans",
            {
                "BackupPlansList": [{"BackupPlanId": "p1", "BackupPlanName": "daily"}],
                "NextToken": "n",
            },
        )
        stub.add_response(
            "list_backup_plans",
            {"BackupPlansList": [{"BackupPlanId": "p2", "BackupPlanName": "empty"}]},
            {"NextToken": "n"},
        )
        stub.add_response(
            "list_backup_selections",
            {
                "BackupSelectionsList": [
                    {"SelectionId": "s1", "SelectionName": "ddb-tagged", "BackupPlanId": "p1"}
                ]
            },
            {"BackupPlanId": "p1"},
        )
        stub.add_response(
            "get_backup_selection",
            {"BackupSelection": selection, "SelectionId": "s1", "BackupPlanId": "p1"},
            {"BackupPlanId": "p1", "SelectionId": "s1"},
        )
        stub.add_response(
            "list_backup_selections", {"BackupSelectionsList": []}, {"BackupPlanId": "p2"}
        )

    hooks.stub("backup", script)
    selections = known(scope_of(scan({"region.backup"}, hooks)).backup_selections)
    assert len(selections) == 1
    got = selections[0]
    assert (got.plan_name, got.plan_id, got.selection_name, got.selection_id) == (
        "daily",
        "p1",
        "ddb-tagged",
        "s1",
    )
    assert got.resources == ("arn:aws:dynamodb:*:*:table/*",)
    assert got.not_resources == ("arn:aws:dynamodb:*:*:table/scratch-*",)
    assert [(c.operator, c.key, c.value) for c in got.list_of_tags] == [
        ("STRINGEQUALS", "backup", "yes")
    ]
    assert sorted((c.operator, c.key, c.value) for c in got.conditions) == [
        ("STRINGEQUALS", "env", "prod"),
        ("STRINGNOTLIKE", "tier", "dev*"),
    ]
    assert got.origin is not None and got.origin.api == "backup:GetBackupSelection"


def test_a_failed_selection_read_makes_the_region_unknown(aws: Any, hooks: Hooks) -> None:
    create_table(aws("dynamodb"), "t")

    def script(stub: Any) -> None:
        stub.add_response(
            "list_backup_plans",
            {"BackupPlansList": [{"BackupPlanId": "p1", "BackupPlanName": "daily"}]},
        )
        stub.add_response(
            "list_backup_selections",
            {
                "BackupSelectionsList": [
                    {"SelectionId": "s1", "SelectionName": "x", "BackupPlanId": "p1"}
                ]
            },
        )
        stub.add_client_error(
            "get_backup_selection",
            "AccessDeniedException",
            "not authorized to perform backup:GetBackupSelection",
            400,
        )

    hooks.stub("backup", script)
    selections = scope_of(scan({"region.backup"}, hooks)).backup_selections
    assert isinstance(selections, Unknown)
    assert "AccessDeniedException" in selections.reason
    assert "backup:GetBackupSelection" in selections.reason
    assert selections.origin is not None
    assert selections.origin.api == "backup:GetBackupSelection"
