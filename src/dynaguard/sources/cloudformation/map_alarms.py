"""AWS::CloudWatch::Alarm -> ``MetricAlarm`` (DDB.018).

``Dimensions: [{Name: TableName, Value: !Ref Table}]`` names the table the template declares
(``!Ref`` of a table is its name); a literal names a table by its name. ``Metrics`` entries
with a ``MetricStat`` are read like a classic alarm's metric.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.model import MetricAlarm, Unknown
from dynaguard.sources.cloudformation.context import TABLE_TYPES, CfnContext
from dynaguard.sources.iac.alarms import RawAlarm, RawMetric, declared_alarms
from dynaguard.sources.iac.blocks import Block, Ref


def _dimensions(raw: Any) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        return {"(Dimensions)": raw}
    out: dict[str, Any] = {}
    for item in raw:
        if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
            out[item["Name"]] = item.get("Value")
        else:
            out["(Dimensions)"] = item
    return out


def _metrics(block: Block) -> list[RawMetric]:
    if block.has("MetricName") or block.has("Namespace"):
        return [
            RawMetric(
                block.raw("Namespace"),
                block.raw("MetricName"),
                _dimensions(block.raw("Dimensions")),
            )
        ]
    out = []
    for query in block.raw("Metrics") or ():
        stat = query.get("MetricStat") if isinstance(query, Mapping) else None
        metric = stat.get("Metric") if isinstance(stat, Mapping) else None
        if isinstance(metric, Mapping):
            out.append(
                RawMetric(
                    metric.get("Namespace"),
                    metric.get("MetricName"),
                    _dimensions(metric.get("Dimensions")),
                )
            )
    return out


def map_alarms(ctx: CfnContext) -> tuple[list[MetricAlarm], list[Unknown]]:
    """The declared DynamoDB alarms, and the alarms that could not be resolved."""

    def table_name_of(ref: Ref) -> str | None:
        if ref.attribute is not None or ctx.resource_type(ref.address) not in TABLE_TYPES:
            return None
        return ctx.table_name(ref.address)

    raws = (
        RawAlarm(
            address=block.address,
            name=block.raw("AlarmName"),
            region=ctx.declared.region,
            origin=block.origin,
            metrics=_metrics(block),
            actions_enabled=block.raw("ActionsEnabled"),
            alarm_actions=block.raw("AlarmActions"),
        )
        for block in ctx.of_type("AWS::CloudWatch::Alarm")
    )
    return declared_alarms(raws, table_name_of)
