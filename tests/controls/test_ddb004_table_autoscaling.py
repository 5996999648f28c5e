"""DDB.004: on-demand, or auto scaling on every read/write dimension of table AND indexes."""

from __future__ import annotations

from typing import Any

from dynaguard.config import AutoscalingRule
from dynaguard.controls.base import Context
from dynaguard.model import (
    Known,
    ScalableTarget,
    Scaling,
    ScalingPolicy,
    SecondaryIndex,
    Status,
    Table,
)

from .builders import DENIED, ctx, one, scope, status, table

ID = "DDB.004"
TABLE_READ = "dynamodb:table:ReadCapacityUnits"
TABLE_WRITE = "dynamodb:table:WriteCapacityUnits"
INDEX_READ = "dynamodb:index:ReadCapacityUnits"
INDEX_WRITE = "dynamodb:index:WriteCapacityUnits"


def provisioned(*indexes: str) -> Table:
    return table(
        billing_mode=Known("PROVISIONED"),
        read_capacity=5,
        write_capacity=5,
        gsis=Known(tuple(SecondaryIndex(i, 5, 5) for i in indexes)),
    )


def scaled(
    resource_id: str,
    dims: tuple[str, ...],
    target: float | None = 70.0,
    policy_type: str = "TargetTrackingScaling",
    low: int = 5,
    high: int = 100,
) -> tuple[list[ScalableTarget], list[ScalingPolicy]]:
    targets = [ScalableTarget(resource_id, d, low, high) for d in dims]
    policies = [ScalingPolicy(resource_id, d, policy_type, target, f"p-{d}") for d in dims]
    return targets, policies


def scaling_ctx(
    *parts: tuple[list[ScalableTarget], list[ScalingPolicy]], **baseline: Any
) -> Context:
    targets = [t for ts, _ in parts for t in ts]
    policies = [p for _, ps in parts for p in ps]
    return ctx(scope(scaling=Known(Scaling(tuple(targets), tuple(policies)))), **baseline)


TABLE_SCALED = scaled("table/orders", (TABLE_READ, TABLE_WRITE))
INDEX_SCALED = scaled("table/orders/index/by-customer", (INDEX_READ, INDEX_WRITE))


def test_on_demand_passes_and_says_no_maximum() -> None:
    v = one(ID, table())
    assert v.status is Status.PASS
    assert "no on-demand maximum" in v.reason


def test_on_demand_with_maximum_mentions_it() -> None:
    v = one(ID, table(on_demand_max={"MaxReadRequestUnits": 1000}))
    assert v.status is Status.PASS
    assert "MaxReadRequestUnits=1000" in v.reason


def test_provisioned_without_scaling_fails_naming_both_dimensions() -> None:
    v = one(ID, provisioned(), scaling_ctx())
    assert v.status is Status.FAIL
    assert "table read" in v.reason and "table write" in v.reason


def test_provisioned_fully_scaled_passes() -> None:
    assert status(ID, provisioned(), scaling_ctx(TABLE_SCALED)) is Status.PASS


def test_provisioned_with_scaled_indexes_passes() -> None:
    t = provisioned("by-customer")
    assert status(ID, t, scaling_ctx(TABLE_SCALED, INDEX_SCALED)) is Status.PASS


def test_unscaled_index_fails_even_when_the_table_scales() -> None:
    v = one(ID, provisioned("by-customer"), scaling_ctx(TABLE_SCALED))
    assert v.status is Status.FAIL
    assert "index by-customer read" in v.reason
    assert "index by-customer write" in v.reason
    assert "table read" not in v.reason


def test_table_policy_does_not_count_for_its_index() -> None:
    """Resource ids match exactly (moto matches substrings; AWS does not)."""
    wrong = scaled("table/orders", (INDEX_READ, INDEX_WRITE))
    assert status(ID, provisioned("by-customer"), scaling_ctx(TABLE_SCALED, wrong)) is Status.FAIL


def test_similarly_named_table_does_not_count() -> None:
    other = scaled("table/orders-archive", (TABLE_READ, TABLE_WRITE))
    assert status(ID, provisioned(), scaling_ctx(other)) is Status.FAIL


def test_write_dimension_missing_is_named() -> None:
    v = one(ID, provisioned(), scaling_ctx(scaled("table/orders", (TABLE_READ,))))
    assert v.status is Status.FAIL
    assert "table write" in v.reason and "table read" not in v.reason


def test_target_without_target_tracking_policy_fails() -> None:
    targets, _ = TABLE_SCALED
    v = one(ID, provisioned(), scaling_ctx((targets, [])))
    assert v.status is Status.FAIL
    assert "no target-tracking policy" in v.reason


def test_step_scaling_is_not_target_tracking() -> None:
    step = scaled("table/orders", (TABLE_READ, TABLE_WRITE), policy_type="StepScaling")
    assert status(ID, provisioned(), scaling_ctx(step)) is Status.FAIL


def test_policy_without_target_fails() -> None:
    _, policies = TABLE_SCALED
    v = one(ID, provisioned(), scaling_ctx(([], policies)))
    assert v.status is Status.FAIL
    assert "no scalable target" in v.reason


def test_target_utilisation_outside_bounds_fails() -> None:
    high = scaled("table/orders", (TABLE_READ, TABLE_WRITE), target=95.0)
    v = one(ID, provisioned(), scaling_ctx(high))
    assert v.status is Status.FAIL
    assert "95%" in v.reason


def test_target_utilisation_bounds_come_from_baseline() -> None:
    at_80 = scaled("table/orders", (TABLE_READ, TABLE_WRITE), target=80.0)
    rule = AutoscalingRule(min_target=20, max_target=75)
    assert status(ID, provisioned(), scaling_ctx(at_80)) is Status.PASS
    assert status(ID, provisioned(), scaling_ctx(at_80, autoscaling=rule)) is Status.FAIL


def test_unknown_target_value_is_unknown() -> None:
    unresolved = scaled("table/orders", (TABLE_READ, TABLE_WRITE), target=None)
    assert status(ID, provisioned(), scaling_ctx(unresolved)) is Status.UNKNOWN


def test_capacity_thresholds() -> None:
    part = scaled("table/orders", (TABLE_READ, TABLE_WRITE), low=2, high=500)
    floor = AutoscalingRule(min_capacity=5)
    ceiling = AutoscalingRule(max_capacity=200)
    ok = AutoscalingRule(min_capacity=1, max_capacity=1000)
    assert (
        "minimum capacity 2" in one(ID, provisioned(), scaling_ctx(part, autoscaling=floor)).reason
    )
    assert status(ID, provisioned(), scaling_ctx(part, autoscaling=ceiling)) is Status.FAIL
    assert status(ID, provisioned(), scaling_ctx(part, autoscaling=ok)) is Status.PASS


def test_missing_dimension_wins_over_unknown_threshold() -> None:
    unresolved = scaled("table/orders", (TABLE_READ,), target=None)
    assert status(ID, provisioned(), scaling_ctx(unresolved)) is Status.FAIL


def test_scaling_unknown_is_unknown_with_reason() -> None:
    v = one(ID, provisioned(), ctx(scope(scaling=DENIED)))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_on_demand_does_not_need_scaling_facts() -> None:
    assert status(ID, table(), ctx(scope(scaling=DENIED))) is Status.PASS


def test_billing_mode_unknown_is_unknown() -> None:
    assert status(ID, table(billing_mode=DENIED)) is Status.UNKNOWN


def test_indexes_unknown_is_unknown() -> None:
    t = table(billing_mode=Known("PROVISIONED"), gsis=DENIED)
    assert status(ID, t, scaling_ctx(TABLE_SCALED)) is Status.UNKNOWN


def test_policy_of_a_similarly_named_table_does_not_count() -> None:
    targets, _ = TABLE_SCALED
    _, archive_policies = scaled("table/orders-archive", (TABLE_READ, TABLE_WRITE))
    v = one(ID, provisioned(), scaling_ctx((targets, archive_policies)))
    assert v.status is Status.FAIL
    assert "no target-tracking policy" in v.reason


def test_target_of_a_similarly_named_table_does_not_count() -> None:
    _, policies = TABLE_SCALED
    archive_targets, _ = scaled("table/orders-archive", (TABLE_READ, TABLE_WRITE))
    v = one(ID, provisioned(), scaling_ctx((archive_targets, policies)))
    assert v.status is Status.FAIL
    assert "no scalable target" in v.reason
