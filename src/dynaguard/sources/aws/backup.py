"""AWS Backup, once per region: the selections (ListBackupPlans -> ListBackupSelections ->
GetBackupSelection) and the Region's settings for DynamoDB (DescribeRegionSettings). Tables are
matched against them locally (DDB.005).

A selection that could not be read might be the one covering a table, so any failed read makes
the whole region's selections Unknown rather than a shorter list that looks complete. So does a
malformed response (a missing id, a list that is not a list): UNKNOWN naming the field, never a
traceback and never a shorter list. Tag condition keys are normalized to the bare tag key (AWS
accepts ``aws:ResourceTag/KEY`` in ``Conditions`` and the bare key in ``ListOfTags``).
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRegionSettings.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from dynaguard.model import BackupRegionSettings, BackupSelection, Fact, TagCondition, Unknown
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "backup"
TAG_KEY_PREFIX = "aws:ResourceTag/"
# Conditions operators -> the model's operator names.
CONDITION_OPERATORS = {
    "StringEquals": "STRINGEQUALS",
    "StringNotEquals": "STRINGNOTEQUALS",
    "StringLike": "STRINGLIKE",
    "StringNotLike": "STRINGNOTLIKE",
}
T = TypeVar("T")


class MalformedResponse(ValueError):
    """A response that does not have the shape botocore's model promises."""


def _guarded(reader: RegionReader, read: Callable[[], T], operation: str) -> Fact[T]:
    """``reader.fact(read)``, with a malformed response turned into an Unknown naming it."""

    def checked() -> T:
        try:
            return read()
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise MalformedResponse(f"{type(exc).__name__}: {exc}") from exc

    try:
        return reader.fact(checked, SERVICE, operation)
    except MalformedResponse as exc:
        return Unknown(
            f"backup:{operation} returned a malformed response ({exc})",
            reader.origin(SERVICE, operation),
        )


def collect_backup_selections(reader: RegionReader) -> Fact[tuple[BackupSelection, ...]]:
    return _guarded(reader, lambda: tuple(_read_selections(reader)), "ListBackupPlans")


def collect_backup_settings(reader: RegionReader) -> Fact[BackupRegionSettings]:
    """DescribeRegionSettings: DynamoDB's opt-in and advanced-features switches."""
    return _guarded(reader, lambda: _settings(reader), "DescribeRegionSettings")


def _settings(reader: RegionReader) -> BackupRegionSettings:
    response = reader.call(SERVICE, "DescribeRegionSettings")
    opt_in = _mapping(response.get("ResourceTypeOptInPreference"), "ResourceTypeOptInPreference")
    if "DynamoDB" not in opt_in:
        raise KeyError("ResourceTypeOptInPreference has no DynamoDB entry")
    advanced = _mapping(
        response.get("ResourceTypeManagementPreference") or {}, "ResourceTypeManagementPreference"
    ).get("DynamoDB")
    return BackupRegionSettings(
        opted_in=_bool(opt_in["DynamoDB"], "ResourceTypeOptInPreference.DynamoDB"),
        advanced=None if advanced is None else _bool(advanced, "DynamoDB management"),
        origin=reader.origin(SERVICE, "DescribeRegionSettings"),
    )


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} is a {type(value).__name__}, not an object")
    return value


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} is a {type(value).__name__}, not a boolean")
    return value


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value:
        raise TypeError(f"{key} is {value!r}, not a non-empty string")
    return value


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = raw.get(key) or ()
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{key} is not a list of strings")
    return tuple(values)


def _read_selections(reader: RegionReader) -> list[BackupSelection]:
    plans = page_items(reader.pages(SERVICE, "ListBackupPlans"), "BackupPlansList")
    out = []
    for plan in plans:
        plan_id = _text(_mapping(plan, "a backup plan"), "BackupPlanId")
        listed = page_items(
            reader.pages(SERVICE, "ListBackupSelections", BackupPlanId=plan_id),
            "BackupSelectionsList",
        )
        for entry in listed:
            selection_id = _text(_mapping(entry, "a selection"), "SelectionId")
            response = reader.call(
                SERVICE, "GetBackupSelection", BackupPlanId=plan_id, SelectionId=selection_id
            )
            raw = _mapping(response.get("BackupSelection"), "BackupSelection")
            out.append(_selection(reader, plan, selection_id, raw))
    return out


def _selection(
    reader: RegionReader, plan: Mapping[str, Any], selection_id: str, raw: Mapping[str, Any]
) -> BackupSelection:
    return BackupSelection(
        plan_name=plan.get("BackupPlanName") or plan["BackupPlanId"],
        selection_name=raw.get("SelectionName") or selection_id,
        plan_id=plan["BackupPlanId"],
        selection_id=selection_id,
        resources=_strings(raw, "Resources"),
        not_resources=_strings(raw, "NotResources"),
        list_of_tags=tuple(
            _condition(c.get("ConditionType", "STRINGEQUALS"), c)
            for c in _list(raw.get("ListOfTags"), "ListOfTags")
        ),
        conditions=tuple(_conditions(_mapping(raw.get("Conditions") or {}, "Conditions"))),
        origin=reader.origin(SERVICE, "GetBackupSelection"),
    )


def _list(value: Any, what: str) -> list[Mapping[str, Any]]:
    items = value or []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise TypeError(f"{what} is not a list of objects")
    return items


def _conditions(raw: Mapping[str, Any]) -> list[TagCondition]:
    return [
        _condition(CONDITION_OPERATORS.get(operator, str(operator).upper()), c)
        for operator, entries in raw.items()
        for c in _list(entries, f"Conditions.{operator}")
    ]


def _condition(operator: str, raw: Mapping[str, Any]) -> TagCondition:
    key = _text(raw, "ConditionKey")
    value = raw["ConditionValue"]
    if not isinstance(value, str):
        raise TypeError(f"ConditionValue of {key} is not a string")
    return TagCondition(
        operator=str(operator).upper(), key=key.removeprefix(TAG_KEY_PREFIX), value=value
    )
