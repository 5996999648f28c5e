"""AWS Backup, once per region: the selections (ListBackupPlans -> ListBackupSelections ->
GetBackupSelection) and the Region's settings for DynamoDB (DescribeRegionSettings). Tables are
matched against them locally (DDB.005).

A selection that could not be read might be the one covering a table, so any failed read makes
the whole region's selections Unknown rather than a shorter list that looks complete. So does a
malformed response (a missing id, a list that is not a list; read through ``shape.Body``): UNKNOWN
naming the field, never a traceback and never a shorter list. Tag condition keys are normalized
to the bare tag key (AWS accepts ``aws:ResourceTag/KEY`` in ``Conditions`` and the bare key in
``ListOfTags``).
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRegionSettings.html
"""

from __future__ import annotations

from dynaguard.model import BackupRegionSettings, BackupSelection, Fact, TagCondition
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import Body

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


def collect_backup_settings(reader: RegionReader) -> Fact[BackupRegionSettings]:
    """DescribeRegionSettings: DynamoDB's opt-in and advanced-features switches."""
    return reader.fact(lambda: _settings(reader), SERVICE, "DescribeRegionSettings")


def _settings(reader: RegionReader) -> BackupRegionSettings:
    body = reader.read(SERVICE, "DescribeRegionSettings")
    opted_in = body.child("ResourceTypeOptInPreference").flag("DynamoDB")
    management = body.opt_child("ResourceTypeManagementPreference")
    return BackupRegionSettings(
        opted_in=opted_in,
        advanced=None if management is None else management.opt_flag("DynamoDB"),
        origin=reader.origin(SERVICE, "DescribeRegionSettings"),
    )


def _read_selections(reader: RegionReader) -> list[BackupSelection]:
    pages = reader.read_pages(SERVICE, "ListBackupPlans")
    out = []
    for plan in (p for page in pages for p in page.opt_children("BackupPlansList")):
        plan_id = plan.text("BackupPlanId")
        listed = reader.read_pages(SERVICE, "ListBackupSelections", BackupPlanId=plan_id)
        for entry in (e for page in listed for e in page.opt_children("BackupSelectionsList")):
            selection_id = entry.text("SelectionId")
            raw = reader.read(
                SERVICE, "GetBackupSelection", BackupPlanId=plan_id, SelectionId=selection_id
            ).child("BackupSelection")
            out.append(_selection(reader, plan, selection_id, raw))
    return out


def _selection(reader: RegionReader, plan: Body, selection_id: str, raw: Body) -> BackupSelection:
    plan_id = plan.text("BackupPlanId")
    conditions = raw.opt_child("Conditions")
    return BackupSelection(
        plan_name=plan.opt_text("BackupPlanName") or plan_id,
        selection_name=raw.opt_text("SelectionName") or selection_id,
        plan_id=plan_id,
        selection_id=selection_id,
        resources=raw.opt_texts("Resources"),
        not_resources=raw.opt_texts("NotResources"),
        list_of_tags=tuple(
            _condition(c.opt_text("ConditionType") or "STRINGEQUALS", c)
            for c in raw.opt_children("ListOfTags")
        ),
        conditions=tuple(_conditions(conditions)) if conditions is not None else (),
        origin=reader.origin(SERVICE, "GetBackupSelection"),
    )


def _conditions(raw: Body) -> list[TagCondition]:
    return [
        _condition(CONDITION_OPERATORS.get(operator, str(operator).upper()), c)
        for operator in raw.data
        for c in raw.opt_children(str(operator))
    ]


def _condition(operator: str, raw: Body) -> TagCondition:
    return TagCondition(
        operator=str(operator).upper(),
        key=raw.text("ConditionKey").removeprefix(TAG_KEY_PREFIX),
        value=raw.text("ConditionValue"),
    )
