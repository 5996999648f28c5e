"""DDB.004: target-tracking auto scaling for the read and write capacity of a provisioned
table and of every GSI: RegisterScalableTarget (min = current capacity, max = current x
``harden.max_capacity_multiple``, within the baseline's bounds) and PutScalingPolicy
TargetTrackingScaling on DynamoDB{Read,Write}CapacityUtilization.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.CLI.html
"""

from __future__ import annotations

from typing import Any

from dynaguard.config import AutoscalingRule
from dynaguard.controls.ddb004_table_autoscaling import (
    TARGET_TRACKING,
    Dimension,
    required_dimensions,
)
from dynaguard.model import Known, Scaling, Table
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Skip
from dynaguard.remediation.fixes.common import table_ref
from dynaguard.remediation.registry import register

AAS = "application-autoscaling"
NAMESPACE = "dynamodb"


def _capacity(table: Table, dim: Dimension) -> int:
    gsis = table.gsis.value if isinstance(table.gsis, Known) else ()
    read = dim.dimension.endswith("ReadCapacityUnits")
    if "/index/" in dim.resource_id:
        name = dim.resource_id.rsplit("/", 1)[-1]
        for gsi in gsis:
            if gsi.name == name:
                return (gsi.read_capacity if read else gsi.write_capacity) or 1
        return 1
    return (table.read_capacity if read else table.write_capacity) or 1


def _bounds(current: int, rule: AutoscalingRule, multiple: int) -> tuple[int, int]:
    low = max(current, rule.min_capacity or 1)
    high = max(low, current * multiple, low + 1)
    if rule.max_capacity is not None:
        high = min(high, rule.max_capacity)
        low = min(low, high)
    return low, high


def _policy_name(dim: Dimension) -> str:
    kind = "read" if "Read" in dim.dimension else "write"
    return f"dynaguard-{dim.resource_id.replace('/', '-')}-{kind}"


def _step(op: str, dim: Dimension, region: str, **params: Any) -> ApiStep:
    base = {"ServiceNamespace": NAMESPACE, "ResourceId": dim.resource_id}
    return ApiStep(
        f"{AAS}:{op}", region, {**base, "ScalableDimension": dim.dimension, **params}, "none"
    )


def _dimension_steps(
    table: Table, dim: Dimension, scaling: Scaling, live: LiveState, multiple: int
) -> tuple[list[ApiStep], list[ApiStep], list[ApiStep]]:
    """(steps, undo of policies, undo of targets) for one dimension."""
    rule = live.baseline.autoscaling
    region = table.region
    targets = [
        t
        for t in scaling.targets
        if (t.resource_id, t.dimension) == (dim.resource_id, dim.dimension)
    ]
    policies = [
        p
        for p in scaling.policies
        if (p.resource_id, p.dimension) == (dim.resource_id, dim.dimension)
        and p.policy_type == TARGET_TRACKING
        and p.target_value is not None
        and rule.min_target <= p.target_value <= rule.max_target
    ]
    steps: list[ApiStep] = []
    undo_policies: list[ApiStep] = []
    undo_targets: list[ApiStep] = []
    low, high = _bounds(_capacity(table, dim), rule, multiple)
    target = targets[0] if targets else None
    in_bounds = target is not None and (
        (rule.min_capacity is None or (target.min_capacity or 0) >= rule.min_capacity)
        and (rule.max_capacity is None or (target.max_capacity or 0) <= rule.max_capacity)
    )
    if target is None or not in_bounds:
        steps.append(
            _step("RegisterScalableTarget", dim, region, MinCapacity=low, MaxCapacity=high)
        )
        if target is None:
            undo_targets.append(_step("DeregisterScalableTarget", dim, region))
        else:
            undo_targets.append(
                _step(
                    "RegisterScalableTarget",
                    dim,
                    region,
                    MinCapacity=target.min_capacity,
                    MaxCapacity=target.max_capacity,
                )
            )
    if not policies:
        metric = (
            "DynamoDBReadCapacityUtilization"
            if "Read" in dim.dimension
            else "DynamoDBWriteCapacityUtilization"
        )
        config = {
            "TargetValue": rule.target_utilization,
            "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        }
        name = _policy_name(dim)
        steps.append(
            _step(
                "PutScalingPolicy",
                dim,
                region,
                PolicyName=name,
                PolicyType=TARGET_TRACKING,
                TargetTrackingScalingPolicyConfiguration=config,
            )
        )
        undo_policies.append(_step("DeleteScalingPolicy", dim, region, PolicyName=name))
    return steps, undo_policies, undo_targets


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    scaling = live.scope.scaling
    if not isinstance(scaling, Known) or not isinstance(table.gsis, Known):
        return Skip("DDB.004", table_ref(table), "auto scaling state unknown")
    steps, undo_policies, undo_targets, labels = [], [], [], []
    multiple = options.settings.max_capacity_multiple
    for dim in required_dimensions(table, table.gsis.value):
        s, up, ut = _dimension_steps(table, dim, scaling.value, live, multiple)
        if s:
            labels.append(dim.label)
        steps += s
        undo_policies += up
        undo_targets += ut
    if not steps:
        return None
    return Change(
        "DDB.004",
        table_ref(table),
        f"not scaled: {', '.join(labels)}",
        f"target tracking {live.baseline.autoscaling.target_utilization:g}%",
        tuple(steps),
        tuple(undo_policies + undo_targets),
        {"dimensions": labels},
        undo_weakens=False,
    )


register(
    Remediation(
        "DDB.004",
        "table",
        "register scalable targets and target-tracking policies for table and GSIs",
        (
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:DescribeScalingPolicies",
            "dynamodb:DescribeTable",
            "dynamodb:UpdateTable",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "iam:CreateServiceLinkedRole",
        ),
        ("ACTIVE", "UPDATING"),
        plan,
    )
)
