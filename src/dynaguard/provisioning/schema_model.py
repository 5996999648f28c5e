"""A table schema file, declared as pydantic models: the shape, the types and each value's own
rules (AWS's formats and bounds). What depends on several fields (key attributes defined,
capacity only when provisioned, replica keys in their region...) is checked afterwards by
``validate`` on the typed model; the secure defaults are resolved there too.

Imported only when a schema is read (pydantic is not paid for by ``--help``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from dynaguard.doc_models import StrictModel, Text, bounded, check
from dynaguard.model import aws_rules
from dynaguard.provisioning import rules
from dynaguard.sanitize import short_repr


def _choice(choices: tuple[str, ...]) -> AfterValidator:
    """One of ``choices``, case-insensitive (``provisioned`` is PROVISIONED)."""

    def judge(value: str) -> str:
        check(
            value.upper() in choices,
            f"must be one of {', '.join(choices)}, got {short_repr(value)}",
        )
        return value.upper()

    return AfterValidator(judge)


def _attribute_type(value: str) -> str:
    check(
        value.upper() in rules.ATTRIBUTE_TYPES,
        f"type must be S (string), N (number) or B (binary), got {short_repr(value)}",
    )
    return value.upper()


def _attribute_name(value: str) -> str:
    check(
        1 <= len(value) <= rules.KEY_ATTRIBUTE_MAX_NAME,
        "attribute names must be 1 to 255 characters",
    )
    return value


def _attributes_as_mapping(value: Any) -> Any:
    """``[{name: pk, type: S}, ...]`` is accepted for ``{pk: S, ...}``."""
    if not isinstance(value, list):
        return value
    out: dict[Any, Any] = {}
    for i, item in enumerate(value):
        check(
            isinstance(item, dict) and set(item) == {"name", "type"},
            f"item {i}: expected {{name: NAME, type: S|N|B}}",
        )
        out[item["name"]] = item["type"]
    return out


def _index_name(value: str) -> str:
    problem = rules.table_name_problem(value)
    check(problem is None, f"index name {problem}")
    return value


def _region(value: str) -> str:
    check(
        bool(aws_rules.REGION_NAME.match(value)),
        f"{short_repr(value)} is not an AWS region name",
    )
    return value


def _replica(value: Any) -> Any:
    return {"region": value} if isinstance(value, str) else value


def _projection(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


def _policy(value: Any) -> Any:
    """A policy as JSON text, or written in YAML: plain JSON data either way (YAML reads an
    unquoted ``Version: 2012-10-17`` as a date; the policy means the string)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not valid JSON: {short_repr(str(exc), 100, False)}") from None
        except RecursionError:
            raise ValueError("not valid JSON: nested too deeply") from None
    if isinstance(value, dict):
        return json.loads(json.dumps(value, default=_json_scalar))
    return value


def _json_scalar(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise ValueError(f"a policy holds only JSON values, not {type(value).__name__}")


def _tag_value(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


AttributeName = Annotated[Text, AfterValidator(_attribute_name)]
RegionName = Annotated[str, AfterValidator(_region)]
AtLeastOne = Annotated[int, bounded(1, None)]


class CapacityModel(StrictModel):
    read: AtLeastOne
    write: AtLeastOne


class AutoscalingModel(StrictModel):
    enabled: bool | None = None
    min_capacity: int | None = None
    max_capacity: int | None = None
    target_utilization: float | None = None


class ProjectionModel(StrictModel):
    type: Annotated[str, _choice(rules.PROJECTION_TYPES)] | None = None
    non_key_attributes: list[Text] | None = None


Projection = Annotated[ProjectionModel, BeforeValidator(_projection)]


# In list items, a required field is checked by ``validate_keys`` (not declared required here):
# an item missing one keeps its other fields checked, and its siblings keep their positions.


class GlobalIndexModel(StrictModel):
    name: Annotated[str, AfterValidator(_index_name)] | None = None
    hash_key: AttributeName | None = None
    range_key: AttributeName | None = None
    projection: Projection | None = None
    capacity: CapacityModel | None = None
    autoscaling: AutoscalingModel | None = None


class LocalIndexModel(StrictModel):
    name: Annotated[str, AfterValidator(_index_name)] | None = None
    range_key: AttributeName | None = None
    projection: Projection | None = None


class StreamModel(StrictModel):
    enabled: bool | None = None
    view_type: Annotated[str, _choice(aws_rules.STREAM_VIEW_TYPES)] | None = None


class EncryptionModel(StrictModel):
    type: Annotated[str, _choice(rules.ENCRYPTION_TYPES)] | None = None
    kms_key_arn: str | None = None


class PitrModel(StrictModel):
    enabled: bool | None = None
    recovery_period_in_days: (
        Annotated[
            int,
            bounded(aws_rules.PITR_MIN_DAYS, aws_rules.PITR_MAX_DAYS, " days (AWS limit)"),
        ]
        | None
    ) = None


class ReplicaModel(StrictModel):
    region: RegionName | None = None
    kms_key_arn: str | None = None


class TableSchema(StrictModel):
    """The top of a schema file. Fields that may come from the command line (``table_name``
    from ``--name``, ``region`` from ``--region``) or that the cross-field checks report with a
    better message (``hash_key``) are optional here."""

    table_name: str | None = None
    region: RegionName | None = None
    attributes: (
        Annotated[
            dict[AttributeName, Annotated[Text, AfterValidator(_attribute_type)]],
            BeforeValidator(_attributes_as_mapping),
        ]
        | None
    ) = None
    hash_key: AttributeName | None = None
    range_key: AttributeName | None = None
    billing_mode: Annotated[str, _choice(rules.BILLING_MODES)] | None = None
    capacity: CapacityModel | None = None
    autoscaling: AutoscalingModel | None = None
    global_indexes: list[GlobalIndexModel] | None = None
    local_indexes: list[LocalIndexModel] | None = None
    ttl_attribute: AttributeName | None = None
    stream: StreamModel | None = None
    encryption: EncryptionModel | None = None
    point_in_time_recovery: PitrModel | None = None
    deletion_protection: bool | None = None
    tags: dict[Text, Annotated[str, BeforeValidator(_tag_value)]] | None = None
    replicas: list[Annotated[ReplicaModel, BeforeValidator(_replica)]] | None = None
    resource_policy: Annotated[dict[str, Any], BeforeValidator(_policy)] | None = None
    table_class: Annotated[str, _choice(rules.TABLE_CLASSES)] | None = None
