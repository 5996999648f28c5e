"""DDB.018 from infrastructure code: Terraform HCL, plan JSON and CloudFormation, a PASS and a
FAIL for each failure reason on every source, UNKNOWN where the alarm's table is unresolved."""

from __future__ import annotations

import pytest

from dynaguard.iac_scan import IacResult
from tests.iac.conftest import findings, scan

NONE = "no throttling alarm: none on ReadThrottleEvents or WriteThrottleEvents"
READ_ONLY = "read throttling only: no alarm on WriteThrottleEvents"
T = "aws_dynamodb_table"


def verdict(result: IacResult, resource: str) -> tuple[str, str]:
    (found,) = findings(result, "DDB.018", resource)
    return found.status.value, found.reason


@pytest.mark.parametrize(
    ("fixture", "resources"),
    [
        (("terraform", "pass"), (f"{T}.orders", f"{T}.ledger")),
        (("plan", "pass.json"), (f"{T}.orders",)),
        (("cloudformation", "pass.yaml"), ("Orders", "Ledger")),
        (("terraform", "global_table_2017", "pass"), (f"{T}.use1", f"{T}.usw2")),
    ],
)
def test_declared_alarms_with_actions_pass(fixture: tuple[str, ...], resources: tuple[str]) -> None:
    result = scan(*fixture)
    for resource in resources:
        assert verdict(result, resource)[0] == "PASS", resource


@pytest.mark.parametrize(
    ("fixture", "none", "read_only", "muted_and_silent"),
    [
        (("terraform", "fail"), f"{T}.plain", f"{T}.managed_key", f"{T}.global"),
        (("plan", "fail.json"), f"{T}.global", f"{T}.managed_key", f"{T}.plain"),
        (("cloudformation", "fail.yaml"), "Plain", "ManagedKey", "Global"),
    ],
)
def test_each_failure_reason_on_every_source(
    fixture: tuple[str, ...], none: str, read_only: str, muted_and_silent: str
) -> None:
    result = scan(*fixture)
    assert verdict(result, none) == ("FAIL", NONE)
    assert verdict(result, read_only) == ("FAIL", READ_ONLY)
    status, reason = verdict(result, muted_and_silent)
    assert status == "FAIL"
    assert "ReadThrottleEvents alarm without a notification (actions disabled" in reason
    assert "WriteThrottleEvents alarm without a notification (no alarm action" in reason


def test_a_metric_math_alarm_on_both_metrics_covers_the_table() -> None:
    for fixture, table, alarm in (
        (("terraform", "pass"), f"{T}.ledger", "ledger-throttling"),
        (("cloudformation", "pass.yaml"), "Ledger", "LedgerThrottling"),
    ):
        status, reason = verdict(scan(*fixture), table)
        assert status == "PASS"
        assert f"{alarm} (read), {alarm} (write)" in reason


def test_alarms_count_only_in_their_own_provider_region() -> None:
    _, reason = verdict(scan("terraform", "global_table_2017", "pass"), f"{T}.usw2")
    assert "sessions-read (read), sessions-write (write)" in reason


@pytest.mark.parametrize(
    ("fixture", "resource", "expression"),
    [
        (("terraform", "unknown"), f"{T}.vague", "aws_cloudwatch_metric_alarm.vague"),
        (("cloudformation", "unknown.yaml"), "Vague", "!Ref AlarmTable"),
    ],
)
def test_an_alarm_on_an_unresolved_table_makes_the_verdict_unknown(
    fixture: tuple[str, ...], resource: str, expression: str
) -> None:
    status, reason = verdict(scan(*fixture), resource)
    assert status == "UNKNOWN"
    assert expression in reason


def test_findings_point_at_the_code_fix() -> None:
    (found,) = findings(scan("terraform", "fail"), "DDB.018", f"{T}.plain")
    assert found.remediation and "aws_cloudwatch_metric_alarm" in found.remediation
    (cfn,) = findings(scan("cloudformation", "fail.yaml"), "DDB.018", "Plain")
    assert cfn.remediation and "AWS::CloudWatch::Alarm" in cfn.remediation
