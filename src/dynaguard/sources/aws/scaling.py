"""Application Auto Scaling for DynamoDB, once per region: scalable targets and policies.

Read region-wide (ServiceNamespace=dynamodb) and joined to tables locally by ResourceId
(``table/NAME`` or ``table/NAME/index/IDX``), instead of one call per table.
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.model import Fact, ScalableTarget, Scaling, ScalingPolicy
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "application-autoscaling"


def collect_scaling(reader: RegionReader) -> Fact[Scaling]:
    """Both reads must succeed: targets without their policies would look unscaled."""
    return reader.fact(lambda: _read_scaling(reader), SERVICE, "DescribeScalableTargets")


def _read_scaling(reader: RegionReader) -> Scaling:
    targets = page_items(
        reader.pages(SERVICE, "DescribeScalableTargets", ServiceNamespace="dynamodb"),
        "ScalableTargets",
    )
    policies = page_items(
        reader.pages(SERVICE, "DescribeScalingPolicies", ServiceNamespace="dynamodb"),
        "ScalingPolicies",
    )
    return Scaling(
        targets=tuple(_target(t) for t in targets),
        policies=tuple(_policy(p) for p in policies),
    )


def _target(raw: Mapping[str, Any]) -> ScalableTarget:
    return ScalableTarget(
        resource_id=raw["ResourceId"],
        dimension=raw["ScalableDimension"],
        min_capacity=raw.get("MinCapacity"),
        max_capacity=raw.get("MaxCapacity"),
    )


def _policy(raw: Mapping[str, Any]) -> ScalingPolicy:
    tracking = raw.get("TargetTrackingScalingPolicyConfiguration") or {}
    target_value = tracking.get("TargetValue")
    return ScalingPolicy(
        resource_id=raw["ResourceId"],
        dimension=raw["ScalableDimension"],
        policy_type=raw["PolicyType"],
        target_value=float(target_value) if target_value is not None else None,
        name=raw.get("PolicyName"),
    )
