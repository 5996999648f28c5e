"""DDB.005: add backup coverage without rewriting anyone's selection.

In order of preference: tag the table with ``harden.backup_tag`` when an existing tag-based
selection then covers it; or add a new selection (one per table) to the plan named by
``harden.backup_plan``; or, with ``--create-backup-plan``, create a daily plan with a
tag-based selection (a prelude change, once per region) and tag the table. AWS Backup has no
UpdateBackupSelection: existing selections are never deleted or recreated.

Where the Region is not opted in to AWS Backup for DynamoDB, a tag-based selection backs
nothing up, so a tag would change nothing: the table's ARN goes into a new selection instead
(an ARN naming DynamoDB is honoured without the opt-in), in the configured plan or in the plan
``--create-backup-plan`` creates. With neither, the fix is MANUAL. dynaguard never opts the
Region in itself: UpdateRegionSettings changes what every tag-based or ``*`` selection in the
Region backs up, other teams' plans included. An opt-in it could not read makes the tag path
unsafe as well; the table is then skipped unless an ARN selection can be added.
https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_UpdateRegionSettings.html
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from dynaguard.controls.ddb005_table_backup_plan import table_arn
from dynaguard.model import Known, Table, Unknown
from dynaguard.model.backup_match import covering_selections
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Manual, Skip
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


def _selection_change(table: Table, plan: str, role: str, requires: tuple[str, ...] = ()) -> Change:
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
        requires=requires,
    )


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    selections = live.scope.backup_selections
    if not isinstance(selections, Known) or not isinstance(table.tags, Known):
        return Skip("DDB.005", table_ref(table), "backup selections or tags unknown")
    settings = options.settings
    opt_in = live.scope.backup_settings
    opted_in = opt_in.value.opted_in if isinstance(opt_in, Known) else None
    if settings.backup_tag and opted_in:
        tags = {**table.tags.value, settings.backup_tag[0]: settings.backup_tag[1]}
        covering, _ = covering_selections(selections.value, table_arn(table), tags)
        if covering:
            return _tag_change(table, settings.backup_tag, ())
    role = (settings.backup_plan.iam_role_arn if settings.backup_plan else None) or default_role(
        table.account_id
    )
    choice = settings.backup_plan
    if choice and choice.plan:
        return _selection_change(table, choice.plan, role)
    if options.create_backup_plan:
        if opted_in:
            return _tag_change(
                table, settings.backup_tag or DEFAULT_TAG, (backup_plan_id(table.region),)
            )
        # the created plan's tag-based selection is not honoured here: name the table too
        return _selection_change(table, CREATED_PLAN, role, (backup_plan_id(table.region),))
    if opted_in is False:
        return _not_opted_in(table)
    if isinstance(opt_in, Unknown):
        return Skip(
            "DDB.005",
            table_ref(table),
            f"AWS Backup opt-in for DynamoDB unknown ({opt_in.reason}): a tag may back up "
            "nothing; set harden.backup_plan, or pass --create-backup-plan",
        )
    why = "no backup selection covers it"
    if settings.backup_tag:
        why += f" even with tag {settings.backup_tag[0]}={settings.backup_tag[1]}"
    return Skip(
        "DDB.005", table_ref(table), f"{why}: set harden.backup_plan, or pass --create-backup-plan"
    )


def _not_opted_in(table: Table) -> Manual:
    """No plan to add the table's ARN to, in a Region where tags are not honoured."""
    region, arn = table.region, table_arn(table)
    selection = (
        f'{{"SelectionName": "dynaguard-{table.name[:30]}", "IamRoleArn": '
        f'"{default_role(table.account_id)}", "Resources": ["{arn}"]}}'
    )
    return Manual(
        "DDB.005",
        table_ref(table),
        f"{region} is not opted in to AWS Backup for DynamoDB: a tag-based selection backs "
        "nothing up there, and opting the Region in changes what every tag-based or '*' "
        "selection in it backs up, so dynaguard leaves that to you",
        (
            f"aws backup create-backup-selection --region {region} --backup-plan-id PLAN_ID "
            f"--backup-selection '{selection}' (or set harden.backup_plan, or pass "
            "--create-backup-plan: dynaguard adds the table's ARN as a new selection)",
            f"or opt in: aws backup update-region-settings --region {region} "
            "--resource-type-opt-in-preference DynamoDB=true",
        ),
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
