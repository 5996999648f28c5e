"""CloudWatch metric alarms on DynamoDB metrics, once per region (DescribeAlarms, paged).

DescribeAlarms cannot filter by namespace, so every metric alarm of the region is listed (100 a
page, ``AlarmTypes=MetricAlarm``) and only those watching ``AWS/DynamoDB`` are kept: a classic
alarm by its ``Namespace``, a metric-math alarm by the ``MetricStat`` of its ``Metrics``.
Joined to tables locally, so the per-table request budget is unchanged.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.model import AlarmMetric, CloudWatchAlarms, Fact, MetricAlarm
from dynaguard.model.alarms import DYNAMODB_NAMESPACE
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "cloudwatch"


def collect_alarms(reader: RegionReader) -> Fact[CloudWatchAlarms]:
    return reader.fact(lambda: _read_alarms(reader), SERVICE, "DescribeAlarms")


def _read_alarms(reader: RegionReader) -> CloudWatchAlarms:
    pages = reader.pages(SERVICE, "DescribeAlarms", AlarmTypes=["MetricAlarm"])
    origin = reader.origin(SERVICE, "DescribeAlarms")
    alarms = []
    for raw in page_items(pages, "MetricAlarms"):
        metrics = alarm_metrics(raw)
        if any(m.namespace == DYNAMODB_NAMESPACE for m in metrics):
            alarms.append(
                MetricAlarm(
                    name=str(raw.get("AlarmName", "")),
                    region=reader.region,
                    metrics=metrics,
                    # AWS's default is true; DescribeAlarms always reports it.
                    actions_enabled=bool(raw.get("ActionsEnabled", True)),
                    alarm_actions=tuple(str(a) for a in raw.get("AlarmActions") or ()),
                    origin=origin,
                    arn=raw.get("AlarmArn"),
                )
            )
    return CloudWatchAlarms(tuple(alarms))


def alarm_metrics(raw: Mapping[str, Any]) -> tuple[AlarmMetric, ...]:
    """The metrics one DescribeAlarms entry (or PutMetricAlarm request) watches."""
    if raw.get("MetricName"):
        return (
            AlarmMetric(
                str(raw.get("Namespace", "")),
                str(raw["MetricName"]),
                _dimensions(raw.get("Dimensions")),
            ),
        )
    out = []
    for query in raw.get("Metrics") or ():
        metric = ((query or {}).get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            out.append(
                AlarmMetric(
                    str(metric.get("Namespace", "")),
                    str(metric["MetricName"]),
                    _dimensions(metric.get("Dimensions")),
                )
            )
    return tuple(out)


def _dimensions(raw: Any) -> dict[str, str]:
    return {
        str(d.get("Name")): str(d.get("Value"))
        for d in raw or ()
        if isinstance(d, Mapping) and d.get("Name") is not None
    }
