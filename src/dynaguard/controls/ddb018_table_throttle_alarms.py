"""DDB.018: the table has read- and write-throttling alarms that notify someone.

For each of ``ReadThrottleEvents`` and ``WriteThrottleEvents`` the table needs a CloudWatch
metric alarm in its own region on namespace ``AWS/DynamoDB`` with the single dimension
``TableName`` = the table (an alarm on an index or with more dimensions watches another
metric), whose actions are enabled and which has at least one alarm action. One good alarm per
metric is enough; the FAIL reason names what is missing for each metric. No Security Hub
control checks this, so it maps to no framework id (see controls/frameworks.py).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/creating-alarms.html
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import CloudWatchAlarms, MetricAlarm, Table, Unknown
from dynaguard.model.alarms import READ_THROTTLE, THROTTLE_METRICS, WRITE_THROTTLE

LABEL = {READ_THROTTLE: "read", WRITE_THROTTLE: "write"}


def metric_gap(alarms: list[MetricAlarm], metric: str) -> str | None:
    """Why no alarm on ``metric`` notifies anyone (None: one does)."""
    if not alarms:
        return f"no alarm on {metric}"
    if any(a.notifies() for a in alarms):
        return None
    disabled = [a.name for a in alarms if not a.actions_enabled]
    silent = [a.name for a in alarms if a.actions_enabled and not a.alarm_actions]
    parts = []
    if disabled:
        parts.append(f"actions disabled on {', '.join(disabled)}")
    if silent:
        parts.append(f"no alarm action on {', '.join(silent)}")
    return f"{metric} alarm without a notification ({'; '.join(parts)})"


def throttle_gaps(found: CloudWatchAlarms, table: Table) -> dict[str, str]:
    """Metric -> what is missing for it, for each throttling metric that is not covered."""
    gaps = {}
    for metric in THROTTLE_METRICS:
        gap = metric_gap(found.for_table(table.name, table.region, metric), metric)
        if gap is not None:
            gaps[metric] = gap
    return gaps


def _describe(gaps: dict[str, str]) -> str:
    if all(g.startswith("no alarm on") for g in gaps.values()) and len(gaps) == 2:
        return "no throttling alarm: none on ReadThrottleEvents or WriteThrottleEvents"
    if len(gaps) == 1 and next(iter(gaps.values())).startswith("no alarm on"):
        covered = LABEL[next(m for m in THROTTLE_METRICS if m not in gaps)]
        return f"{covered} throttling only: {next(iter(gaps.values()))}"
    return "; ".join(gaps.values())


@control(
    id="DDB.018",
    title="Table has read- and write-throttling alarms with an enabled action",
    severity="low",
    subject=Table,
    facts={"region.alarms"},
    rationale="Throttled requests fail or retry in the application; without an alarm on "
    "ReadThrottleEvents and WriteThrottleEvents that notifies someone, capacity problems are "
    "found by users first.",
    remediation="aws cloudwatch put-metric-alarm --alarm-name TABLE-ReadThrottleEvents "
    "--namespace AWS/DynamoDB --metric-name ReadThrottleEvents --dimensions "
    "Name=TableName,Value=TABLE --statistic Sum --period 60 --evaluation-periods 1 "
    "--threshold 0 --comparison-operator GreaterThanThreshold --treat-missing-data "
    "notBreaching --alarm-actions SNS_TOPIC_ARN (the same for WriteThrottleEvents; or: "
    "dynaguard harden --only DDB.018 --alarm-topic SNS_TOPIC_ARN)",
)
def table_throttle_alarms(table: Table, ctx: Context) -> Verdict:
    alarms = ctx.scope.alarms
    if isinstance(alarms, Unknown):
        return unknown(f"CloudWatch alarms unknown: {alarms.reason}", alarms.origin)
    gaps = throttle_gaps(alarms.value, table)
    if not gaps:
        names = [
            next(
                a.name for a in alarms.value.for_table(table.name, table.region, m) if a.notifies()
            )
            for m in THROTTLE_METRICS
        ]
        return passed(
            f"throttling alarms with actions: {names[0]} (read), {names[1]} (write)",
            alarms.origin,
        )
    if alarms.value.unresolved:
        first = alarms.value.unresolved[0]
        return unknown(
            f"{_describe(gaps)}; but {len(alarms.value.unresolved)} alarm(s) could not be "
            f"resolved and may cover it ({first.reason})",
            first.origin,
        )
    return failed(_describe(gaps), alarms.origin)
