"""CloudWatch alarms (DDB.018) read once per region, paged, mapped to the model, and judged."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from dynaguard.controls.registry import get_control
from dynaguard.engine import scan as engine_scan
from dynaguard.model import CloudWatchAlarms, Known, Unknown
from dynaguard.sources.aws import AwsOptions, CallRecorder, collect
from tests.aws.conftest import ACCOUNT, REGION, Hooks, _Raw, create_table

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"


def put_alarm(cw: Any, name: str, table: str, metric: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "AlarmName": name,
        "Namespace": "AWS/DynamoDB",
        "MetricName": metric,
        "Dimensions": [{"Name": "TableName", "Value": table}],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [TOPIC],
    }
    params.update(extra)
    cw.put_metric_alarm(**{k: v for k, v in params.items() if v is not None})


def alarms_of(recorder: CallRecorder | None = None) -> CloudWatchAlarms:
    inventory = collect(AwsOptions(), frozenset({"region.alarms"}), run_id="t", recorder=recorder)
    fact = inventory.regions[0].alarms
    assert isinstance(fact, Known), fact
    return fact.value


def test_only_dynamodb_alarms_are_kept_with_their_actions(aws: Any) -> None:
    create_table(aws("dynamodb"), "orders")
    cw = aws("cloudwatch")
    put_alarm(cw, "read", "orders", "ReadThrottleEvents")
    put_alarm(cw, "write", "orders", "WriteThrottleEvents", ActionsEnabled=False)
    put_alarm(cw, "cpu", "orders", "CPUUtilization", Namespace="AWS/EC2")
    found = {a.name: a for a in alarms_of().alarms}
    assert set(found) == {"read", "write"}
    assert found["read"].notifies() and found["read"].alarm_actions == (TOPIC,)
    assert found["write"].actions_enabled is False
    assert found["read"].watches("orders", "ReadThrottleEvents")


def _raw(name: str, table: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "Namespace": "AWS/DynamoDB",
        "MetricName": "ReadThrottleEvents",
        "Dimensions": [{"Name": "TableName", "Value": table}],
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
    }


def test_describe_alarms_reads_every_page_once_per_region(aws: Any, hooks: Hooks) -> None:
    """moto answers in one page; a Stubber plays AWS's paging (100 a page, NextToken)."""
    create_table(aws("dynamodb"), "orders")

    def pages(stub: Any) -> None:
        first = [_raw(f"a{i:03}", f"t{i}") for i in range(100)]
        stub.add_response("describe_alarms", {"MetricAlarms": first, "NextToken": "p2"})
        stub.add_response("describe_alarms", {"MetricAlarms": [_raw("last", "orders")]})

    hooks.stub("monitoring", pages)  # CloudWatch's signing name
    found = alarms_of(hooks)
    assert len(found.alarms) == 101
    assert found.for_table("orders", REGION, "ReadThrottleEvents")[0].name == "last"
    assert hooks.by_action()["cloudwatch:DescribeAlarms"] == 2  # the two pages, one read


def test_a_denied_describe_alarms_is_unknown_and_judged_unknown(aws: Any, hooks: Hooks) -> None:
    create_table(aws("dynamodb"), "orders")
    hooks.stub(  # CloudWatch speaks CBOR: a Stubber answers instead of a raw HTTP error
        "monitoring",
        lambda stub: stub.add_client_error(
            "describe_alarms", "AccessDenied", "not authorized", 403
        ),
    )
    inventory = collect(AwsOptions(), frozenset({"region.alarms"}), run_id="t", recorder=hooks)
    fact = inventory.regions[0].alarms
    assert isinstance(fact, Unknown)
    assert "cloudwatch:DescribeAlarms" in fact.reason and "AccessDenied" in fact.reason


def test_live_scan_verdicts_for_each_failure_reason(aws: Any) -> None:
    ddb, cw = aws("dynamodb"), aws("cloudwatch")
    for name in ("ok", "none", "read-only", "silent", "muted"):
        create_table(ddb, name)
    for name in ("ok", "silent", "muted"):
        put_alarm(cw, f"{name}-r", name, "ReadThrottleEvents")
    put_alarm(cw, "ok-w", "ok", "WriteThrottleEvents")
    put_alarm(cw, "ro-r", "read-only", "ReadThrottleEvents")
    put_alarm(cw, "silent-w", "silent", "WriteThrottleEvents", AlarmActions=None)
    put_alarm(cw, "muted-w", "muted", "WriteThrottleEvents", ActionsEnabled=False)
    report = engine_scan(AwsOptions(regions=(REGION,)), controls=["DDB.018"])
    got = {f.resource_id: (f.status.value, f.reason) for f in report.findings}
    assert got["ok"][0] == "PASS"
    assert got["none"] == (
        "FAIL",
        "no throttling alarm: none on ReadThrottleEvents or WriteThrottleEvents",
    )
    assert got["read-only"] == ("FAIL", "read throttling only: no alarm on WriteThrottleEvents")
    assert got["silent"][0] == "FAIL" and "no alarm action on silent-w" in got["silent"][1]
    assert got["muted"][0] == "FAIL" and "actions disabled on muted-w" in got["muted"][1]
    assert get_control("DDB.018").facts == frozenset({"region.alarms"})


def test_a_body_nested_too_deep_is_unknown_not_a_crash(aws: Any, hooks: Hooks) -> None:
    """botocore's JSON parser raises RecursionError on 200,000 nested lists; the reader's guard
    makes that a MalformedResponse (UNKNOWN), never a traceback."""

    def hostile(request: Any, **_: Any) -> AWSResponse:
        body = b'{"MetricAlarms":' + b"[" * 200_000
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 200, headers, _Raw(body))

    create_table(aws("dynamodb"), "orders")
    hooks.on("monitoring", "before-send.*.DescribeAlarms", hostile)
    inventory = collect(AwsOptions(), frozenset({"region.alarms"}), run_id="t", recorder=hooks)
    fact = inventory.regions[0].alarms
    assert isinstance(fact, Unknown)
    assert "DescribeAlarms failed: MalformedResponse: botocore could not parse" in fact.reason
    assert "RecursionError" in fact.reason
