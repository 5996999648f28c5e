"""Declared CloudWatch alarms (Terraform and CloudFormation alike) -> ``MetricAlarm``.

The adapters pass the raw values of one alarm (strings, ``Ref``s to other resources, Unknowns
for what cannot be resolved offline) and a function that names the table a ``Ref`` points at.
AWS defaults applied here: ``ActionsEnabled`` / ``actions_enabled`` is true when absent, no
alarm actions is an empty list. An alarm that watches another namespace is dropped; one whose
namespace, table dimension, actions switch or action list cannot be resolved is returned as
an ``Unknown`` (the control then says UNKNOWN for a table it may cover, never PASS or FAIL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dynaguard.model import AlarmMetric, MetricAlarm, Origin, Unknown
from dynaguard.model.alarms import DYNAMODB_NAMESPACE
from dynaguard.sources.iac.blocks import Ref, first_unknown

TableNameOf = Callable[[Ref], "str | None"]


@dataclass(frozen=True, slots=True)
class RawMetric:
    """One watched metric as declared: namespace, metric name, dimensions name -> value."""

    namespace: Any
    name: Any
    dimensions: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RawAlarm:
    address: str
    name: Any
    region: str
    origin: Origin
    metrics: Sequence[RawMetric]
    actions_enabled: Any  # None: absent (AWS default true)
    alarm_actions: Any  # None: absent (no action)


def declared_alarm(raw: RawAlarm, table_name_of: TableNameOf) -> MetricAlarm | Unknown | None:
    """The alarm as the model has it; None when it watches no DynamoDB metric."""
    metrics: list[AlarmMetric] = []
    for metric in raw.metrics:
        resolved = _metric(raw, metric, table_name_of)
        if isinstance(resolved, Unknown):
            return resolved
        if resolved is not None:
            metrics.append(resolved)
    if not metrics:
        return None
    enabled = _actions_enabled(raw)
    actions = _actions(raw)
    if isinstance(enabled, Unknown):
        return enabled
    if isinstance(actions, Unknown):
        return actions
    name = raw.name if isinstance(raw.name, str) and raw.name else raw.address
    return MetricAlarm(name, raw.region, tuple(metrics), enabled, actions, raw.origin)


def declared_alarms(
    raws: Iterable[RawAlarm], table_name_of: TableNameOf
) -> tuple[list[MetricAlarm], list[Unknown]]:
    """The DynamoDB alarms among ``raws``, and the ones that could not be resolved."""
    alarms, unresolved = [], []
    for raw in raws:
        alarm = declared_alarm(raw, table_name_of)
        if isinstance(alarm, Unknown):
            unresolved.append(alarm)
        elif alarm is not None:
            alarms.append(alarm)
    return alarms, unresolved


def _unresolved(raw: RawAlarm, what: str, value: Any) -> Unknown:
    hole = first_unknown(value)
    why = hole.reason if hole is not None else f"{value!r}"
    return Unknown(f"{raw.address}: {what} cannot be resolved offline ({why})", raw.origin)


def _metric(
    raw: RawAlarm, metric: RawMetric, table_name_of: TableNameOf
) -> AlarmMetric | Unknown | None:
    if not isinstance(metric.namespace, str):
        if metric.namespace is None:
            return None  # a math expression query, not a metric
        return _unresolved(raw, "namespace", metric.namespace)
    if metric.namespace != DYNAMODB_NAMESPACE:
        return None
    if not isinstance(metric.name, str):
        return _unresolved(raw, "metric name", metric.name)
    dimensions = {}
    for key, value in metric.dimensions.items():
        if isinstance(value, Ref):
            named = table_name_of(value)
            if named is None:
                return _unresolved(raw, f"dimension {key}", str(value))
            dimensions[key] = named
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            dimensions[key] = str(value)
        else:
            return _unresolved(raw, f"dimension {key}", value)
    return AlarmMetric(metric.namespace, metric.name, dimensions)


def _actions_enabled(raw: RawAlarm) -> bool | Unknown:
    value = raw.actions_enabled
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _unresolved(raw, "actions enabled", value)


def _actions(raw: RawAlarm) -> tuple[str, ...] | Unknown:
    value = raw.alarm_actions
    if value is None:
        return ()
    if isinstance(value, str | Ref):
        value = [value]
    if not isinstance(value, list | tuple):
        return _unresolved(raw, "alarm actions", value)
    # An element that is a reference or an unresolved expression is still a declared action.
    return tuple(
        v if isinstance(v, str) else str(v) if isinstance(v, Ref) else "(unresolved)"
        for v in value
        if v is not None
    )
