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

from collections.abc import Mapping
from typing import Any

from dynaguard.model import BackupRegionSettings, BackupSelection, Fact, TagCondition
from dynaguard.sources.aws.malformed import guarded, mapping, objects, text
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


def collect_backup_selections(reader: RegionReader) -> Fact[tuple[BackupSelection, ...]]:
    return guarded(reader, lambda: tuple(_read_selections(reader)), SERVICE, "ListBackupPlans")


def collect_backup_settings(reader: RegionReader) -> Fact[BackupRegionSettings]:
    """DescribeRegionSettings: DynamoDB's opt-in and advanced-features switches."""
    return guarded(reader, lambda: _settings(reader), SERVICE, "DescribeRegionSettings")


def _settings(reader: RegionReader) -> BackupRegionSettings:
    response = reader.call(SERVICE, "DescribeRegionSettings")
    opt_in = mapping(response.get("ResourceTypeOptInPreference"), "ResourceTypeOptInPreference")
    if "DynamoDB" not in opt_in:
        raise KeyError("ResourceTypeOptInPreference has no DynamoDB entry")
    advanced = mapping(
        response.get("ResourceTypeManagementPreference") or {}, "ResourceTypeManagementPreference"
    ).get("DynamoDB")
    return BackupRegionSettings(
        opted_in=_bool(opt_in["DynamoDB"], "ResourceTypeOptInPreference.DynamoDB"),
        advanced=None if advanced is None else _bool(advanced, "DynamoDB management"),
        origin=reader.origin(SERVICE, "DescribeRegionSettings"),
    )


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} is a {type(value).__name__}, not a boolean")
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
        plan_id = text(mapping(plan, "a backup plan"), "BackupPlanId")
        listed = page_items(
            reader.pages(SERVICE, "ListBackupSelections", BackupPlanId=plan_id),
            "BackupSelectionsList",
        )
        for entry in listed:
            selection_id = text(mapping(entry, "a selection"), "SelectionId")
            response = reader.call(
                SERVICE, "GetBackupSelection", BackupPlanId=plan_id, SelectionId=selection_id
            )
            raw = mapping(response.get("BackupSelection"), "BackupSelection")
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
            for c in objects(raw.get("ListOfTags"), "ListOfTags")
        ),
        conditions=tuple(_conditions(mapping(raw.get("Conditions") or {}, "Conditions"))),
        origin=reader.origin(SERVICE, "GetBackupSelection"),
    )


def _conditions(raw: Mapping[str, Any]) -> list[TagCondition]:
    return [
        _condition(CONDITION_OPERATORS.get(operator, str(operator).upper()), c)
        for operator, entries in raw.items()
        for c in objects(entries, f"Conditions.{operator}")
    ]


def _condition(operator: str, raw: Mapping[str, Any]) -> TagCondition:
    key = text(raw, "ConditionKey")
    value = raw["ConditionValue"]
    if not isinstance(value, str):
        raise TypeError(f"ConditionValue of {key} is not a string")
    return TagCondition(
        operator=str(operator).upper(), key=key.removeprefix(TAG_KEY_PREFIX), value=value
    )
