"""aws_cloudwatch_metric_alarm -> ``MetricAlarm`` (DDB.018).

``dimensions = { TableName = aws_dynamodb_table.x.name }`` (or ``.id``, which is the name too)
names the table the block declares; a literal names a table by its name. ``metric_query``
blocks with a ``metric`` sub-block are read like a classic alarm's metric.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_metric_alarm
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.model import Known, MetricAlarm, Unknown
from dynaguard.sources.iac.alarms import RawAlarm, RawMetric, declared_alarms
from dynaguard.sources.iac.blocks import Block, Ref
from dynaguard.sources.iac.values import str_fact
from dynaguard.sources.terraform.context import TfContext


def _dimensions(block: Block) -> Mapping[str, Any]:
    value = block.raw("dimensions")
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if value is None:
        return {}
    return {"(dimensions)": value}  # a variable: unresolved, named as such


def _metrics(block: Block) -> list[RawMetric]:
    if block.has("metric_name") or block.has("namespace"):
        return [RawMetric(block.raw("namespace"), block.raw("metric_name"), _dimensions(block))]
    out = []
    for query in block.blocks("metric_query"):
        for metric in query.blocks("metric"):
            out.append(
                RawMetric(metric.raw("namespace"), metric.raw("metric_name"), _dimensions(metric))
            )
    return out


def map_alarms(ctx: TfContext) -> tuple[list[MetricAlarm], list[Unknown]]:
    """The declared DynamoDB alarms, and the alarms that could not be resolved."""

    def table_name_of(ref: Ref) -> str | None:
        target = ctx.resolve(ref)
        if target is None or target.type != "aws_dynamodb_table":
            return None
        if ref.attribute not in (None, "name", "id"):
            return None
        name = str_fact(target, "name", None)
        return name.value if isinstance(name, Known) and name.value else target.address

    raws = (
        RawAlarm(
            address=block.address,
            name=block.raw("alarm_name"),
            region=ctx.region_of(block),
            origin=block.origin,
            metrics=_metrics(block),
            actions_enabled=block.raw("actions_enabled"),
            alarm_actions=block.raw("alarm_actions"),
        )
        for block in ctx.of_type("aws_cloudwatch_metric_alarm")
    )
    return declared_alarms(raws, table_name_of)
