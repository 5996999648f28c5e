"""AWS Backup selections, once per region: ListBackupPlans -> ListBackupSelections ->
GetBackupSelection. Tables are matched against them locally (DDB.005).

A selection that could not be read might be the one covering a table, so any failed read makes
the whole region's selections Unknown rather than a shorter list that looks complete. Tag
condition keys are normalized to the bare tag key (AWS accepts ``aws:ResourceTag/KEY`` in
``Conditions`` and the bare key in ``ListOfTags``).
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dynaguard.model import BackupSelection, Fact, TagCondition
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
    return reader.fact(lambda: tuple(_read_selections(reader)), SERVICE, "ListBackupPlans")


def _read_selections(reader: RegionReader) -> list[BackupSelection]:
    plans = page_items(reader.pages(SERVICE, "ListBackupPlans"), "BackupPlansList")
    out = []
    for plan in plans:
        plan_id = plan["BackupPlanId"]
        listed = page_items(
            reader.pages(SERVICE, "ListBackupSelections", BackupPlanId=plan_id),
            "BackupSelectionsList",
        )
        for entry in listed:
            response = reader.call(
                SERVICE,
                "GetBackupSelection",
                BackupPlanId=plan_id,
                SelectionId=entry["SelectionId"],
            )
            out.append(_selection(reader, plan, entry["SelectionId"], response["BackupSelection"]))
    return out


def _selection(
    reader: RegionReader, plan: Mapping[str, Any], selection_id: str, raw: Mapping[str, Any]
) -> BackupSelection:
    return BackupSelection(
        plan_name=plan.get("BackupPlanName") or plan["BackupPlanId"],
        selection_name=raw.get("SelectionName") or selection_id,
        plan_id=plan["BackupPlanId"],
        selection_id=selection_id,
        resources=tuple(raw.get("Resources") or ()),
        not_resources=tuple(raw.get("NotResources") or ()),
        list_of_tags=tuple(
            _condition(c.get("ConditionType", "STRINGEQUALS"), c)
            for c in raw.get("ListOfTags") or ()
        ),
        conditions=tuple(_conditions(raw.get("Conditions") or {})),
        origin=reader.origin(SERVICE, "GetBackupSelection"),
    )


def _conditions(raw: Mapping[str, Iterable[Mapping[str, str]]]) -> list[TagCondition]:
    return [
        _condition(CONDITION_OPERATORS.get(operator, operator.upper()), c)
        for operator, entries in raw.items()
        for c in entries or ()
    ]


def _condition(operator: str, raw: Mapping[str, str]) -> TagCondition:
    key = raw["ConditionKey"]
    return TagCondition(
        operator=operator.upper(),
        key=key.removeprefix(TAG_KEY_PREFIX),
        value=raw["ConditionValue"],
    )
