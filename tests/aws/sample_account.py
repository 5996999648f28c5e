"""A small account that passes most controls, for the malformed-response tests and the fuzz
suite: a CMK-encrypted table with PITR, TTL, tags, deletion protection and a resource policy; a
provisioned table with target-tracking auto scaling; a VPC with a DynamoDB gateway endpoint; a
TLS, encrypted, three-node DAX cluster."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.aws.conftest import NO_RETRY, REGION, create_table


@contextlib.contextmanager
def sample_account(home: Path) -> Iterator[Callable[[str], Any]]:
    """The account, built in moto in-process with offline credentials, for a whole module
    (moto builds it in seconds; tests that only read it can share it). Yields ``aws(service)``,
    a client factory."""
    with pytest.MonkeyPatch.context() as env, mock_aws():
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(name, "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("AWS_CONFIG_FILE", str(home / "no-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "no-credentials"))
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            env.delenv(name, raising=False)

        def aws(service: str) -> Any:
            return boto3.client(service, region_name=REGION, config=NO_RETRY)

        build_account(aws)
        yield aws


def build_account(aws: Callable[[str], Any]) -> None:
    """Build the account in moto (``aws(service)`` is a client)."""
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    aws("kms").enable_key_rotation(KeyId=key)
    ddb = aws("dynamodb")
    create_table(
        ddb,
        "alpha",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
        Tags=[{"Key": "owner", "Value": "team"}],
        DeletionProtectionEnabled=True,
    )
    ddb.update_continuous_backups(
        TableName="alpha", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.update_time_to_live(
        TableName="alpha", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    arn = ddb.describe_table(TableName="alpha")["Table"]["TableArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "dynamodb:GetItem",
                "Resource": arn,
            }
        ],
    }
    ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps(policy))
    create_table(
        ddb, "beta", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    )
    aas = aws("application-autoscaling")
    for dimension in ("ReadCapacityUnits", "WriteCapacityUnits"):
        aas.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId="table/beta",
            ScalableDimension=f"dynamodb:table:{dimension}",
            MinCapacity=5,
            MaxCapacity=50,
        )
        aas.put_scaling_policy(
            PolicyName=dimension,
            ServiceNamespace="dynamodb",
            ResourceId="table/beta",
            ScalableDimension=f"dynamodb:table:{dimension}",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": f"DynamoDB{dimension[:-13]}CapacityUtilization"
                },
            },
        )
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.dynamodb", VpcEndpointType="Gateway"
    )
    role = aws("iam").create_role(RoleName="dax", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws("dax").create_cluster(
        ClusterName="cache",
        NodeType="dax.t3.small",
        ReplicationFactor=3,
        IamRoleArn=role,
        SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS",
    )
    for _ in range(3):
        aws("dax").describe_clusters()  # moto lists the nodes once the cluster is "available"
