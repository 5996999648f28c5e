"""CloudWatch metric alarms on DynamoDB metrics, once per region (DescribeAlarms, paged).

DescribeAlarms cannot filter by namespace, so every metric alarm of the region is listed (100 a
page, ``AlarmTypes=MetricAlarm``) and only those watching ``AWS/DynamoDB`` are kept: a classic
alarm by its ``Namespace``, a metric-math alarm by the ``MetricStat`` of its ``Metrics``.
Joined to tables locally, so the per-table request budget is unchanged.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
"""

from __future__ import annotations

from dynaguard.model import AlarmMetric, CloudWatchAlarms, Fact, MetricAlarm
from dynaguard.model.alarms import DYNAMODB_NAMESPACE
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import Body

SERVICE = "cloudwatch"


def collect_alarms(reader: RegionReader) -> Fact[CloudWatchAlarms]:
    return reader.fact(lambda: _read_alarms(reader), SERVICE, "DescribeAlarms")


def _read_alarms(reader: RegionReader) -> CloudWatchAlarms:
    """A malformed alarm (a ``Metrics`` that is not a list, a name that is not text) makes the
    region's alarms Unknown: one alarm missing could be the one a table relies on. A page
    without ``MetricAlarms`` is read as no alarm (a protocol may leave an empty list out): that
    can only make a table FAIL, never PASS."""
    pages = reader.read_pages(SERVICE, "DescribeAlarms", AlarmTypes=["MetricAlarm"])
    origin = reader.origin(SERVICE, "DescribeAlarms")
    alarms = []
    for raw in (alarm for page in pages for alarm in page.opt_children("MetricAlarms")):
        metrics = alarm_metrics(raw)
        if any(m.namespace == DYNAMODB_NAMESPACE for m in metrics):
            alarms.append(
                MetricAlarm(
                    name=raw.text("AlarmName"),
                    region=reader.region,
                    metrics=metrics,
                    # DescribeAlarms always reports it: a missing one must not read as true.
                    actions_enabled=raw.flag("ActionsEnabled"),
                    alarm_actions=raw.opt_texts("AlarmActions"),
                    origin=origin,
                    arn=raw.opt_text("AlarmArn"),
                )
            )
    return CloudWatchAlarms(tuple(alarms))


def alarm_metrics(raw: Body) -> tuple[AlarmMetric, ...]:
    """The metrics one DescribeAlarms entry watches: its own (``MetricName`` with its
    ``Namespace``), or each metric-math query's ``MetricStat.Metric`` (a query without one is an
    ``Expression`` over the others). An alarm with neither is malformed, not "watches nothing".
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html"""
    if raw.has("MetricName"):
        return (_metric(raw),)
    if not raw.has("Metrics"):
        raise raw.fail("MetricName", "a string (or a Metrics list)")
    out = []
    for query in raw.children("Metrics"):
        stat = query.opt_child("MetricStat")
        if stat is not None:
            out.append(_metric(stat.child("Metric")))
        elif not query.has("Expression"):
            raise query.fail("MetricStat", "an object (or an Expression)")
    return tuple(out)


def _metric(raw: Body) -> AlarmMetric:
    dimensions = {d.text("Name"): d.text("Value") for d in raw.opt_children("Dimensions")}
    return AlarmMetric(raw.text("Namespace"), raw.text("MetricName"), dimensions)
