"""CloudWatch metric alarms as DDB.018 judges them: what they watch and whether they notify.

Sources keep only alarms that watch the ``AWS/DynamoDB`` namespace (a classic alarm on one
metric, or a metric-math alarm whose queries include one). An alarm whose metric, dimensions
or actions a source cannot resolve (an IaC variable) is not guessed: it is listed in
``CloudWatchAlarms.unresolved``, so a table it may cover is judged UNKNOWN, never FAIL or PASS.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dynaguard.model.facts import Origin, Unknown

DYNAMODB_NAMESPACE = "AWS/DynamoDB"
READ_THROTTLE = "ReadThrottleEvents"
WRITE_THROTTLE = "WriteThrottleEvents"
THROTTLE_METRICS = (READ_THROTTLE, WRITE_THROTTLE)
# An SNS topic ARN: (region, account). CloudWatch alarms notify topics of their own region.
TOPIC_ARN = re.compile(r"^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):[\w-]{1,256}$")


@dataclass(frozen=True, slots=True)
class AlarmMetric:
    """One metric an alarm watches: namespace, name and its dimensions (name -> value)."""

    namespace: str
    name: str
    dimensions: Mapping[str, str] = field(default_factory=dict)

    def table_metric(self) -> tuple[str, str] | None:
        """(table name, metric name) when this is a table-level DynamoDB metric: the namespace
        AWS/DynamoDB and the single dimension TableName (an index or operation dimension
        makes it a different metric)."""
        if self.namespace != DYNAMODB_NAMESPACE or set(self.dimensions) != {"TableName"}:
            return None
        return self.dimensions["TableName"], self.name


@dataclass(frozen=True, slots=True)
class MetricAlarm:
    """A CloudWatch metric alarm. ``actions_enabled`` and ``alarm_actions`` as AWS reports
    them (IaC: as declared, with AWS's default of actions enabled)."""

    name: str
    region: str
    metrics: tuple[AlarmMetric, ...]
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    origin: Origin | None = None
    arn: str | None = None

    def watches(self, table: str, metric: str) -> bool:
        return any(m.table_metric() == (table, metric) for m in self.metrics)

    def notifies(self) -> bool:
        return self.actions_enabled and bool(self.alarm_actions)


@dataclass(frozen=True, slots=True)
class CloudWatchAlarms:
    """The DynamoDB alarms of one region (live) or one unit of code (IaC)."""

    alarms: tuple[MetricAlarm, ...] = ()
    unresolved: tuple[Unknown, ...] = ()  # alarms whose target or actions are not known

    def for_table(self, table: str, region: str, metric: str) -> list[MetricAlarm]:
        return [a for a in self.alarms if a.region == region and a.watches(table, metric)]


def throttle_alarm_name(table: str, metric: str) -> str:
    """The name dynaguard gives the alarms it creates (provision and harden alike)."""
    return f"dynaguard-{table}-{metric}"


def throttle_alarm_request(
    table: str, metric: str, topic: str, datapoints: int = 1, periods: int | None = None
) -> dict[str, object]:
    """PutMetricAlarm parameters: any throttle event (Sum > 0 over 60 s) in ``datapoints`` of
    ``periods`` minutes notifies ``topic``; no data (no requests) is not breaching.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    return {
        "AlarmName": throttle_alarm_name(table, metric),
        "AlarmDescription": f"dynaguard DDB.018: {metric} on DynamoDB table {table}",
        "Namespace": DYNAMODB_NAMESPACE,
        "MetricName": metric,
        "Dimensions": [{"Name": "TableName", "Value": table}],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": periods or datapoints,
        "DatapointsToAlarm": datapoints,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": True,
        "AlarmActions": [topic],
    }


def planned_alarm(table: str, region: str, metric: str, topic: str) -> MetricAlarm:
    """The alarm ``throttle_alarm_request`` creates, as the model has it (for pre-flight)."""
    return MetricAlarm(
        throttle_alarm_name(table, metric),
        region,
        (AlarmMetric(DYNAMODB_NAMESPACE, metric, {"TableName": table}),),
        True,
        (topic,),
    )
