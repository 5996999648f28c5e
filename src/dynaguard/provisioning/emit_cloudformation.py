"""TableSpec -> a CloudFormation template: the same table as ``provision`` would create.

A single-region table is ``AWS::DynamoDB::Table`` with auto scaling as
``AWS::ApplicationAutoScaling::ScalableTarget`` + ``ScalingPolicy`` per dimension. A table with
replicas is ``AWS::DynamoDB::GlobalTable`` (``AWS::DynamoDB::Table`` has no replicas), whose
per-replica SSE, PITR, deletion protection and tags live under ``Replicas`` and whose auto
scaling is built in (``WriteProvisionedThroughputSettings`` / per-replica read settings).
Both are retained on stack deletion, like deletion protection intends.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from dynaguard import __version__
from dynaguard.provisioning.alarms import cloudformation_alarms
from dynaguard.provisioning.requests import key_schema
from dynaguard.provisioning.spec import TABLE_ARN_PLACEHOLDER, EncryptionType, IndexSpec, TableSpec
from dynaguard.provisioning.to_model import scaling_subjects

ARN_SUB = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"


def logical_id(name: str) -> str:
    """An alphanumeric logical id from the table name (``approvals-prod`` -> ApprovalsProd)."""
    words = re.split(r"[^a-zA-Z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w)
    return text if text[:1].isalpha() else f"Table{text}"


def _index(index: IndexSpec, global_index: bool, with_capacity: bool) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection.type}
    if index.projection.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.projection.non_key_attributes)
    out: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": key_schema(index.hash_key, index.range_key),
        "Projection": projection,
    }
    if global_index and with_capacity and index.capacity is not None:
        out["ProvisionedThroughput"] = {
            "ReadCapacityUnits": index.capacity.read,
            "WriteCapacityUnits": index.capacity.write,
        }
    return out


def _policy(spec: TableSpec) -> Any:
    """The resource policy; ``${table_arn}`` becomes an Fn::Sub of the table's ARN."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and TABLE_ARN_PLACEHOLDER in node:
            escaped = node.replace("${", "${!").replace("${!table_arn}", ARN_SUB + spec.table_name)
            return {"Fn::Sub": escaped}
        return node

    return walk(json.loads(json.dumps(spec.resource_policy)))


def _common(spec: TableSpec) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TableName": spec.table_name,
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": t} for n, t in sorted(spec.attributes.items())
        ],
        "KeySchema": key_schema(spec.hash_key, spec.range_key),
        "BillingMode": spec.billing_mode,
    }
    if spec.stream.enabled:
        props["StreamSpecification"] = {"StreamViewType": spec.stream.view_type}
    if spec.ttl_attribute:
        props["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
    return props


def _pitr(spec: TableSpec) -> dict[str, Any]:
    pitr: dict[str, Any] = {"PointInTimeRecoveryEnabled": spec.pitr.enabled}
    if spec.pitr.enabled:
        pitr["RecoveryPeriodInDays"] = spec.pitr.recovery_period_in_days
    return pitr


def _tags(spec: TableSpec) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())]


def _table(spec: TableSpec) -> dict[str, Any]:
    props = _common(spec)
    if spec.capacity is not None:
        props["ProvisionedThroughput"] = {
            "ReadCapacityUnits": spec.capacity.read,
            "WriteCapacityUnits": spec.capacity.write,
        }
    if spec.global_indexes:
        props["GlobalSecondaryIndexes"] = [_index(g, True, True) for g in spec.global_indexes]
    if spec.local_indexes:
        props["LocalSecondaryIndexes"] = [_index(i, False, False) for i in spec.local_indexes]
    enc = spec.encryption
    if enc.type is EncryptionType.DEFAULT:
        props["SSESpecification"] = {"SSEEnabled": False}
    else:
        props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS"}
        if enc.kms_key_arn:
            props["SSESpecification"]["KMSMasterKeyId"] = enc.kms_key_arn
    props["PointInTimeRecoverySpecification"] = _pitr(spec)
    props["DeletionProtectionEnabled"] = spec.deletion_protection
    if spec.table_class != "STANDARD":
        props["TableClass"] = spec.table_class
    if spec.tags:
        props["Tags"] = _tags(spec)
    if spec.resource_policy is not None:
        props["ResourcePolicy"] = {"PolicyDocument": _policy(spec)}
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    }


def _autoscaling_settings(scaling: Any) -> dict[str, Any]:
    return {
        "MinCapacity": scaling.min_capacity,
        "MaxCapacity": scaling.max_capacity,
        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": scaling.target_utilization},
    }


def _replica(spec: TableSpec, region: str, key: str | None) -> dict[str, Any]:
    replica: dict[str, Any] = {
        "Region": region,
        "PointInTimeRecoverySpecification": _pitr(spec),
        "DeletionProtectionEnabled": spec.deletion_protection,
        "TableClass": spec.table_class,
    }
    if key:
        replica["SSESpecification"] = {"KMSMasterKeyId": key}
    if spec.tags:
        replica["Tags"] = _tags(spec)
    if spec.autoscaling is not None:
        replica["ReadProvisionedThroughputSettings"] = {
            "ReadCapacityAutoScalingSettings": _autoscaling_settings(spec.autoscaling)
        }
    if spec.resource_policy is not None and region == spec.region:
        replica["ResourcePolicy"] = {"PolicyDocument": _policy(spec)}
    return replica


def _global_table(spec: TableSpec) -> dict[str, Any]:
    props = _common(spec)
    enc = spec.encryption
    props["SSESpecification"] = {"SSEEnabled": enc.type is not EncryptionType.DEFAULT}
    if enc.type is not EncryptionType.DEFAULT:
        props["SSESpecification"]["SSEType"] = "KMS"
    if spec.autoscaling is not None:
        props["WriteProvisionedThroughputSettings"] = {
            "WriteCapacityAutoScalingSettings": _autoscaling_settings(spec.autoscaling)
        }
    gsis = []
    for g in spec.global_indexes:
        index = _index(g, True, False)
        if g.autoscaling is not None:
            index["WriteProvisionedThroughputSettings"] = {
                "WriteCapacityAutoScalingSettings": _autoscaling_settings(g.autoscaling)
            }
        gsis.append(index)
    if gsis:
        props["GlobalSecondaryIndexes"] = gsis
    if spec.local_indexes:
        props["LocalSecondaryIndexes"] = [_index(i, False, False) for i in spec.local_indexes]
    props["Replicas"] = [_replica(spec, spec.region, enc.kms_key_arn)] + [
        _replica(spec, r.region, r.kms_key_arn) for r in spec.replicas
    ]
    return {
        "Type": "AWS::DynamoDB::GlobalTable",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    }


def _scaling_resources(spec: TableSpec, table_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for resource_id, kind, scaling in scaling_subjects(spec):
        index = resource_id.removeprefix(f"table/{spec.table_name}")
        suffix = logical_id(index.replace("/index/", "")) if index else ""
        for word in ("Read", "Write"):
            target = f"{table_id}{suffix}{word}ScalableTarget"
            out[target] = {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": {"Fn::Sub": f"table/${{{table_id}}}{index}"},
                    "ScalableDimension": f"dynamodb:{kind}:{word}CapacityUnits",
                    "MinCapacity": scaling.min_capacity,
                    "MaxCapacity": scaling.max_capacity,
                },
            }
            out[f"{table_id}{suffix}{word}ScalingPolicy"] = {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {
                    "PolicyName": f"DynamoDB{word}CapacityUtilization:{resource_id}",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": {"Ref": target},
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": scaling.target_utilization,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": f"DynamoDB{word}CapacityUtilization"
                        },
                    },
                },
            }
    return out


def template(spec: TableSpec) -> dict[str, Any]:
    table_id = logical_id(spec.table_name)
    resources: dict[str, Any] = {}
    if spec.replicas:
        resources[table_id] = _global_table(spec)
    else:
        resources[table_id] = _table(spec)
        resources.update(_scaling_resources(spec, table_id))
    resources.update(cloudformation_alarms(spec, table_id))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"DynamoDB table {spec.table_name} (dynaguard {__version__} provision, "
        f"from {spec.source}); deploy in {spec.region}",
        "Resources": resources,
        "Outputs": {
            "TableArn": {"Value": {"Fn::GetAtt": [table_id, "Arn"]}},
            "StreamArn": {"Value": {"Fn::GetAtt": [table_id, "StreamArn"]}},
        }
        if spec.stream.enabled
        else {"TableArn": {"Value": {"Fn::GetAtt": [table_id, "Arn"]}}},
    }


def render_cloudformation(spec: TableSpec, as_json: bool = False) -> str:
    data = template(spec)
    if as_json:
        return json.dumps(data, indent=2) + "\n"
    return str(yaml.safe_dump(data, sort_keys=False, width=100))
