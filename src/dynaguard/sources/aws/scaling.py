"""Application Auto Scaling for DynamoDB, once per region: scalable targets and policies.

Read region-wide (ServiceNamespace=dynamodb) and joined to tables locally by ResourceId
(``table/NAME`` or ``table/NAME/index/IDX``), instead of one call per table.
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html
"""

from __future__ import annotations

from dynaguard.model import Fact, ScalableTarget, Scaling, ScalingPolicy
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import Body, items

SERVICE = "application-autoscaling"


def collect_scaling(reader: RegionReader) -> Fact[Scaling]:
    """Both reads must succeed: targets without their policies would look unscaled."""
    return reader.fact(lambda: _read_scaling(reader), SERVICE, "DescribeScalableTargets")


def _read_scaling(reader: RegionReader) -> Scaling:
    targets = reader.read_pages(SERVICE, "DescribeScalableTargets", ServiceNamespace="dynamodb")
    policies = reader.read_pages(SERVICE, "DescribeScalingPolicies", ServiceNamespace="dynamodb")
    return Scaling(
        targets=tuple(_target(t) for t in items(targets, "ScalableTargets")),
        policies=tuple(_policy(p) for p in items(policies, "ScalingPolicies")),
    )


def _target(raw: Body) -> ScalableTarget:
    return ScalableTarget(
        resource_id=raw.text("ResourceId"),
        dimension=raw.text("ScalableDimension"),
        min_capacity=raw.opt_integer("MinCapacity"),
        max_capacity=raw.opt_integer("MaxCapacity"),
    )


def _policy(raw: Body) -> ScalingPolicy:
    tracking = raw.opt_child("TargetTrackingScalingPolicyConfiguration")
    return ScalingPolicy(
        resource_id=raw.text("ResourceId"),
        dimension=raw.text("ScalableDimension"),
        policy_type=raw.text("PolicyType"),
        target_value=tracking.opt_number("TargetValue") if tracking is not None else None,
        name=raw.opt_text("PolicyName"),
    )
