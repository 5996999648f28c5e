"""DDB.018: read- and write-throttling alarms with an enabled action, per table."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dynaguard.model import AlarmMetric, CloudWatchAlarms, Known, MetricAlarm, Status, Unknown

from .builders import DENIED, REGION, ctx, one, scope, table

ID = "DDB.018"
TOPIC = f"arn:aws:sns:{REGION}:111122223333:ops"


def alarm(metric: str, table_name: str = "orders", **overrides: object) -> MetricAlarm:
    a = MetricAlarm(
        name=f"{table_name}-{metric}",
        region=REGION,
        metrics=(AlarmMetric("AWS/DynamoDB", metric, {"TableName": table_name}),),
        actions_enabled=True,
        alarm_actions=(TOPIC,),
    )
    return replace(a, **overrides)  # type: ignore[arg-type]


def judged(*alarms: MetricAlarm, unresolved: tuple[Unknown, ...] = ()) -> tuple[Status, str]:
    region = scope(alarms=Known(CloudWatchAlarms(alarms, unresolved)))
    verdict = one(ID, table(), ctx(region))
    return verdict.status, verdict.reason


def test_both_alarms_with_actions_pass_and_are_named() -> None:
    status, reason = judged(alarm("ReadThrottleEvents"), alarm("WriteThrottleEvents"))
    assert status is Status.PASS
    assert "orders-ReadThrottleEvents" in reason and "orders-WriteThrottleEvents" in reason


def test_no_alarm_fails() -> None:
    status, reason = judged()
    assert status is Status.FAIL
    assert reason.startswith("no throttling alarm")


def test_read_only_fails_naming_the_missing_write_alarm() -> None:
    status, reason = judged(alarm("ReadThrottleEvents"))
    assert status is Status.FAIL
    assert reason == "read throttling only: no alarm on WriteThrottleEvents"


def test_write_only_fails_naming_the_missing_read_alarm() -> None:
    status, reason = judged(alarm("WriteThrottleEvents"))
    assert status is Status.FAIL
    assert reason == "write throttling only: no alarm on ReadThrottleEvents"


def test_an_alarm_without_action_fails() -> None:
    status, reason = judged(
        alarm("ReadThrottleEvents", alarm_actions=()), alarm("WriteThrottleEvents")
    )
    assert status is Status.FAIL
    assert "no alarm action on orders-ReadThrottleEvents" in reason
    assert "WriteThrottleEvents" not in reason


def test_disabled_actions_fail() -> None:
    status, reason = judged(
        alarm("ReadThrottleEvents"), alarm("WriteThrottleEvents", actions_enabled=False)
    )
    assert status is Status.FAIL
    assert "actions disabled on orders-WriteThrottleEvents" in reason


def test_one_good_alarm_per_metric_is_enough() -> None:
    status, _ = judged(
        alarm("ReadThrottleEvents", name="muted", actions_enabled=False),
        alarm("ReadThrottleEvents"),
        alarm("WriteThrottleEvents"),
    )
    assert status is Status.PASS


@pytest.mark.parametrize(
    "metric",
    [
        AlarmMetric("AWS/DynamoDB", "ReadThrottleEvents", {"TableName": "other"}),
        AlarmMetric(
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            {"TableName": "orders", "GlobalSecondaryIndexName": "by-sku"},
        ),
        AlarmMetric("Custom/DynamoDB", "ReadThrottleEvents", {"TableName": "orders"}),
        AlarmMetric("AWS/DynamoDB", "ThrottledRequests", {"TableName": "orders"}),
    ],
    ids=["other-table", "index-dimension", "other-namespace", "other-metric"],
)
def test_alarms_on_another_metric_do_not_count(metric: AlarmMetric) -> None:
    status, reason = judged(
        alarm("ReadThrottleEvents", metrics=(metric,)), alarm("WriteThrottleEvents")
    )
    assert status is Status.FAIL
    assert "no alarm on ReadThrottleEvents" in reason


def test_an_alarm_in_another_region_does_not_count() -> None:
    status, _ = judged(
        alarm("ReadThrottleEvents", region="us-east-1"), alarm("WriteThrottleEvents")
    )
    assert status is Status.FAIL


def test_a_metric_math_alarm_covering_both_metrics_passes() -> None:
    both = alarm(
        "ReadThrottleEvents",
        name="orders-throttling",
        metrics=(
            AlarmMetric("AWS/DynamoDB", "ReadThrottleEvents", {"TableName": "orders"}),
            AlarmMetric("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "orders"}),
        ),
    )
    assert judged(both)[0] is Status.PASS


def test_unresolved_alarms_make_a_failing_table_unknown_not_a_passing_one() -> None:
    hole = Unknown("aws_cloudwatch_metric_alarm.x: dimension TableName cannot be resolved")
    status, reason = judged(alarm("ReadThrottleEvents"), unresolved=(hole,))
    assert status is Status.UNKNOWN
    assert "no alarm on WriteThrottleEvents" in reason and hole.reason in reason
    both = (alarm("ReadThrottleEvents"), alarm("WriteThrottleEvents"))
    assert judged(*both, unresolved=(hole,))[0] is Status.PASS


def test_a_failed_describe_alarms_is_unknown() -> None:
    verdict = one(ID, table(), ctx(scope(alarms=DENIED)))
    assert verdict.status is Status.UNKNOWN
    assert DENIED.reason in verdict.reason
