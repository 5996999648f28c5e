"""Throttling alarms (DDB.018) for a provisioned table, when a notification topic is given:
the post-create steps, their verification, and the alarms as the pre-flight check sees them.

The topic must be an SNS topic ARN in the table's region: CloudWatch alarm actions notify
topics of the alarm's own region.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.errors import UsageError
from dynaguard.model import CloudWatchAlarms
from dynaguard.model.alarms import (
    THROTTLE_METRICS,
    TOPIC_ARN,
    planned_alarm,
    throttle_alarm_request,
)
from dynaguard.provisioning.step import Step

if TYPE_CHECKING:
    from dynaguard.provisioning.spec import TableSpec


def check_topic(topic: str, region: str, option: str = "--alarm-topic") -> str:
    """``topic`` when it is an SNS topic ARN in ``region``; otherwise a UsageError."""
    match = TOPIC_ARN.match(topic)
    if not match:
        raise UsageError(
            f"{option} {topic!r}: not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
        )
    if match.group(1) != region:
        raise UsageError(
            f"{option} {topic!r} is in {match.group(1)}, the table in {region}: CloudWatch "
            "alarms notify topics in their own region"
        )
    return topic


def alarm_steps(spec: TableSpec) -> list[Step]:
    """PutMetricAlarm on ReadThrottleEvents and WriteThrottleEvents (none without a topic)."""
    if not spec.alarm_topic:
        return []
    return [
        Step(
            "alarm",
            "cloudwatch",
            "PutMetricAlarm",
            spec.region,
            throttle_alarm_request(spec.table_name, metric, spec.alarm_topic),
            f"alarm on {metric} notifying {spec.alarm_topic}",
        )
        for metric in THROTTLE_METRICS
    ]


def planned_alarms(spec: TableSpec) -> CloudWatchAlarms:
    """What the pre-flight judges: the alarms the plan will create (none without a topic)."""
    if not spec.alarm_topic:
        return CloudWatchAlarms()
    return CloudWatchAlarms(
        tuple(
            planned_alarm(spec.table_name, spec.region, m, spec.alarm_topic)
            for m in THROTTLE_METRICS
        )
    )


def terraform_alarms(spec: TableSpec, table: str, indent: str = "  ") -> list[str]:
    """Two aws_cloudwatch_metric_alarm blocks on the emitted table (none without a topic)."""
    if not spec.alarm_topic:
        return []
    lines: list[str] = []
    for metric in THROTTLE_METRICS:
        request = throttle_alarm_request(spec.table_name, metric, spec.alarm_topic)
        word = metric.removesuffix("ThrottleEvents").lower()
        lines += [
            "",
            f'resource "aws_cloudwatch_metric_alarm" "{table}_{word}_throttling" {{',
            f'{indent}alarm_name          = "{request["AlarmName"]}"',
            f'{indent}namespace           = "AWS/DynamoDB"',
            f'{indent}metric_name         = "{metric}"',
            f"{indent}dimensions          = {{ TableName = aws_dynamodb_table.{table}.name }}",
            f'{indent}statistic           = "Sum"',
            f"{indent}period              = 60",
            f"{indent}evaluation_periods  = {request['EvaluationPeriods']}",
            f"{indent}datapoints_to_alarm = {request['DatapointsToAlarm']}",
            f"{indent}threshold           = 0",
            f'{indent}comparison_operator = "GreaterThanThreshold"',
            f'{indent}treat_missing_data  = "notBreaching"',
            f'{indent}alarm_actions       = ["{spec.alarm_topic}"]',
            "}",
        ]
    return lines


def cloudformation_alarms(spec: TableSpec, table_id: str) -> dict[str, object]:
    """Two AWS::CloudWatch::Alarm resources on the emitted table (none without a topic)."""
    if not spec.alarm_topic:
        return {}
    out: dict[str, object] = {}
    for metric in THROTTLE_METRICS:
        request = throttle_alarm_request(spec.table_name, metric, spec.alarm_topic)
        request.pop("AlarmName")
        request["Dimensions"] = [{"Name": "TableName", "Value": {"Ref": table_id}}]
        out[f"{table_id}{metric[:-6]}Alarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": request,
        }
    return out
