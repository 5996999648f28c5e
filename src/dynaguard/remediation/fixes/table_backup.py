"""DDB.005: add backup coverage without rewriting anyone's selection.

In order of preference: tag the table with ``harden.backup_tag`` when an existing tag-based
selection then covers it; or add a new selection (one per table) to the plan named by
``harden.backup_plan``; or, with ``--create-backup-plan``, create a daily plan with a
tag-based selection (a prelude change, once per region) and tag the table. AWS Backup has no
UpdateBackupSelection: existing selections are never deleted or recreated.
https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from dynaguard.controls.ddb005_table_backup_plan import table_arn
from dynaguard.model import Known, Table
from dynaguard.model.backup_match import covering_selections
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Skip
from dynaguard.remediation.fixes.common import table_ref
from dynaguard.remediation.registry import register
from dynaguard.remediation.steps import ChangeFailed, StepRunner

DEFAULT_TAG = ("dynaguard-backup", "daily")
CREATED_PLAN = "dynaguard-daily"


def backup_plan_id(region: str) -> str:
    return f"backup-plan:{region}"


def default_role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/service-role/AWSBackupDefaultServiceRole"


def _tag_change(table: Table, tag: tuple[str, str], requires: tuple[str, ...]) -> Change:
    tags = table.tags.value if isinstance(table.tags, Known) else {}
    arn = table_arn(table)
    key, value = tag
    undo: ApiStep
    if key in tags:
        undo = ApiStep(
            "dynamodb:TagResource",
            table.region,
            {"ResourceArn": arn, "Tags": [{"Key": key, "Value": tags[key]}]},
            "none",
        )
    else:
        undo = ApiStep(
            "dynamodb:UntagResource", table.region, {"ResourceArn": arn, "TagKeys": [key]}, "none"
        )
    return Change(
        "DDB.005",
        table_ref(table),
        "not covered",
        f"tag {key}={value}",
        (
            ApiStep(
                "dynamodb:TagResource",
                table.region,
                {"ResourceArn": arn, "Tags": [{"Key": key, "Value": value}]},
                "none",
            ),
        ),
        (undo,),
        {"tag": key, "previous_value": tags.get(key)},
        requires=requires,
    )


def _selection_change(table: Table, plan: str, role: str) -> Change:
    digest = hashlib.sha256(table.name.encode()).hexdigest()[:6]
    name = f"dynaguard-{table.name[:30]}-{digest}"
    selection = {"SelectionName": name, "IamRoleArn": role, "Resources": [table_arn(table)]}
    step = ApiStep(
        "backup:CreateBackupSelection",
        table.region,
        {"BackupPlanId": "{{BackupPlanId}}", "BackupSelection": selection},
        "none",
        outputs={"SelectionId": "SelectionId"},
    )
    undo = ApiStep(
        "backup:DeleteBackupSelection",
        table.region,
        {"BackupPlanId": "{{BackupPlanId}}", "SelectionId": "{{SelectionId}}"},
        "none",
    )
    return Change(
        "DDB.005",
        table_ref(table),
        "not covered",
        f"selection {name} in plan {plan}",
        (step,),
        (undo,),
        {"plan": plan},
    )


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    selections = live.scope.backup_selections
    if not isinstance(selections, Known) or not isinstance(table.tags, Known):
        return Skip("DDB.005", table_ref(table), "backup selections or tags unknown")
    settings = options.settings
    if settings.backup_tag:
        tags = {**table.tags.value, settings.backup_tag[0]: settings.backup_tag[1]}
        covering, _ = covering_selections(selections.value, table_arn(table), tags)
        if covering:
            return _tag_change(table, settings.backup_tag, ())
    choice = settings.backup_plan
    if choice and choice.plan:
        return _selection_change(
            table, choice.plan, choice.iam_role_arn or default_role(table.account_id)
        )
    if options.create_backup_plan:
        return _tag_change(
            table, settings.backup_tag or DEFAULT_TAG, (backup_plan_id(table.region),)
        )
    why = "no backup selection covers it"
    if settings.backup_tag:
        why += f" even with tag {settings.backup_tag[0]}={settings.backup_tag[1]}"
    return Skip(
        "DDB.005", table_ref(table), f"{why}: set harden.backup_plan, or pass --create-backup-plan"
    )


def resolve_plan_id(runner: StepRunner, region: str, plan: str) -> str:
    """A plan name or id -> its id (ListBackupPlans)."""
    client = runner.client("backup", region)
    for page in client.get_paginator("list_backup_plans").paginate():
        for item in page.get("BackupPlansList") or ():
            if plan in (item.get("BackupPlanName"), item.get("BackupPlanId")):
                return str(item["BackupPlanId"])
    raise ChangeFailed(f"backup plan {plan!r} not found in {region}")


def apply(change: Change, runner: StepRunner) -> Mapping[str, Any]:
    plan_name = change.previous.get("plan")
    outputs: dict[str, Any] = {}
    if plan_name:
        outputs["BackupPlanId"] = resolve_plan_id(runner, change.resource.region, str(plan_name))
    return runner.run_change(change, outputs)


register(
    Remediation(
        "DDB.005",
        "table",
        "tag the table for a tag-based backup selection, or add a selection to a plan",
        (
            "dynamodb:TagResource",
            "backup:ListBackupPlans",
            "backup:CreateBackupSelection",
            "backup:CreateBackupPlan",
            "backup:CreateBackupVault",
            "backup-storage:MountCapsule",
            "iam:PassRole",
            "kms:CreateGrant",
        ),
        ("ACTIVE", "UPDATING"),
        plan,
        apply=apply,
    )
)
