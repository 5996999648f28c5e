"""TableSpec -> the AWS requests that create it: one CreateTable, then the post-create steps
for what CreateTable cannot carry.

CreateTable carries keys, indexes, billing, SSE, deletion protection, tags, stream and table
class (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
It cannot carry the PITR window (UpdateContinuousBackups), TTL (UpdateTimeToLive), auto scaling
(Application Auto Scaling RegisterScalableTarget + PutScalingPolicy), replicas (UpdateTable
ReplicaUpdates, one replica per call) and, here, the resource policy (PutResourcePolicy, once
the table's ARN exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.provisioning.alarms import alarm_steps
from dynaguard.provisioning.spec import EncryptionSpec, EncryptionType, IndexSpec, TableSpec
from dynaguard.provisioning.step import Step
from dynaguard.provisioning.to_model import scaling_subjects

DIMENSIONS = (("Read", "ReadCapacityUnits"), ("Write", "WriteCapacityUnits"))


def sse_specification(enc: EncryptionSpec) -> dict[str, Any] | None:
    """DEFAULT: no SSESpecification (the AWS owned key); KMS: the AWS managed key; else the key."""
    if enc.type is EncryptionType.DEFAULT:
        return None
    sse: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
    if enc.type is EncryptionType.CUSTOMER_KEY:
        sse["KMSMasterKeyId"] = enc.kms_key_arn
    return sse


def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _projection(index: IndexSpec) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection.type}
    if index.projection.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.projection.non_key_attributes)
    return projection


def _index(index: IndexSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": key_schema(index.hash_key, index.range_key),
        "Projection": _projection(index),
    }
    if index.capacity is not None:
        out["ProvisionedThroughput"] = {
            "ReadCapacityUnits": index.capacity.read,
            "WriteCapacityUnits": index.capacity.write,
        }
    return out


def create_table_request(spec: TableSpec) -> dict[str, Any]:
    """The CreateTable parameters."""
    params: dict[str, Any] = {
        "TableName": spec.table_name,
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in sorted(spec.attributes.items())
        ],
        "KeySchema": key_schema(spec.hash_key, spec.range_key),
        "BillingMode": spec.billing_mode,
        "DeletionProtectionEnabled": spec.deletion_protection,
    }
    if spec.capacity is not None:
        params["ProvisionedThroughput"] = {
            "ReadCapacityUnits": spec.capacity.read,
            "WriteCapacityUnits": spec.capacity.write,
        }
    if spec.global_indexes:
        params["GlobalSecondaryIndexes"] = [_index(g) for g in spec.global_indexes]
    if spec.local_indexes:
        params["LocalSecondaryIndexes"] = [_index(i) for i in spec.local_indexes]
    if spec.stream.enabled:
        params["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": spec.stream.view_type,
        }
    sse = sse_specification(spec.encryption)
    if sse is not None:
        params["SSESpecification"] = sse
    if spec.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())]
    if spec.table_class != "STANDARD":
        params["TableClass"] = spec.table_class
    return params


def pitr_step(spec: TableSpec, region: str) -> Step:
    days = spec.pitr.recovery_period_in_days
    where = "" if region == spec.region else f" of the replica in {region}"
    return Step(
        "pitr" if region == spec.region else "replica_pitr",
        "dynamodb",
        "UpdateContinuousBackups",
        region,
        {
            "TableName": spec.table_name,
            "PointInTimeRecoverySpecification": {
                "PointInTimeRecoveryEnabled": True,
                "RecoveryPeriodInDays": days,
            },
        },
        f"enable point-in-time recovery{where} with a {days}-day window",
    )


def scaling_steps(spec: TableSpec) -> list[Step]:
    steps: list[Step] = []
    for resource_id, kind, scaling in scaling_subjects(spec):
        for word, unit in DIMENSIONS:
            dimension = f"dynamodb:{kind}:{unit}"
            steps.append(
                Step(
                    "scaling_target",
                    "application-autoscaling",
                    "RegisterScalableTarget",
                    spec.region,
                    {
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": resource_id,
                        "ScalableDimension": dimension,
                        "MinCapacity": scaling.min_capacity,
                        "MaxCapacity": scaling.max_capacity,
                    },
                    f"register {resource_id} {word.lower()} capacity for auto scaling "
                    f"({scaling.min_capacity}-{scaling.max_capacity})",
                )
            )
            steps.append(
                Step(
                    "scaling_policy",
                    "application-autoscaling",
                    "PutScalingPolicy",
                    spec.region,
                    {
                        "PolicyName": f"DynamoDB{word}CapacityUtilization:{resource_id}",
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": resource_id,
                        "ScalableDimension": dimension,
                        "PolicyType": "TargetTrackingScaling",
                        "TargetTrackingScalingPolicyConfiguration": {
                            "TargetValue": scaling.target_utilization,
                            "PredefinedMetricSpecification": {
                                "PredefinedMetricType": f"DynamoDB{word}CapacityUtilization"
                            },
                        },
                    },
                    f"target-tracking policy on {resource_id} {word.lower()} capacity at "
                    f"{scaling.target_utilization:g}% utilisation",
                )
            )
    return steps


def post_create_steps(spec: TableSpec, policy: Mapping[str, Any] | None, arn: str) -> list[Step]:
    """Every call after CreateTable, in the order they must run."""
    steps: list[Step] = []
    if spec.pitr.enabled:
        steps.append(pitr_step(spec, spec.region))
    if spec.ttl_attribute:
        steps.append(
            Step(
                "ttl",
                "dynamodb",
                "UpdateTimeToLive",
                spec.region,
                {
                    "TableName": spec.table_name,
                    "TimeToLiveSpecification": {
                        "Enabled": True,
                        "AttributeName": spec.ttl_attribute,
                    },
                },
                f"enable Time to Live on attribute {spec.ttl_attribute}",
            )
        )
    steps.extend(scaling_steps(spec))  # a provisioned global table needs write scaling first
    if policy is not None:
        import json

        steps.append(
            Step(
                "resource_policy",
                "dynamodb",
                "PutResourcePolicy",
                spec.region,
                {"ResourceArn": arn, "Policy": json.dumps(policy)},
                "attach the resource policy",
            )
        )
    for replica in spec.replicas:
        create: dict[str, Any] = {"RegionName": replica.region}
        if replica.kms_key_arn:
            create["KMSMasterKeyId"] = replica.kms_key_arn
        key = f" encrypted with {replica.kms_key_arn}" if replica.kms_key_arn else ""
        steps.append(
            Step(
                "replica",
                "dynamodb",
                "UpdateTable",
                spec.region,
                {"TableName": spec.table_name, "ReplicaUpdates": [{"Create": create}]},
                f"add a replica in {replica.region}{key}",
            )
        )
        if spec.pitr.enabled:
            steps.append(pitr_step(spec, replica.region))
    steps.extend(alarm_steps(spec))
    return steps
