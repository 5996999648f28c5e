"""Changes that other changes need first, made once per region: a customer managed key
(``--create-key``) and a daily backup plan with a tag-based selection (``--create-backup-plan``).

Both are idempotent on a rerun: the key is found by its alias, the plan by its name.
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupPlan.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from dynaguard.remediation.base import ApiStep, Change, Options, ResourceRef
from dynaguard.remediation.fixes.common import create_key_id
from dynaguard.remediation.fixes.table_backup import (
    CREATED_PLAN,
    DEFAULT_TAG,
    backup_plan_id,
    default_role,
)
from dynaguard.remediation.steps import ChangeFailed, StepRunner

NEW_KEY = "new_kms_key"
NEW_BACKUP_PLAN = "backup_plan"
SELECTION = "dynaguard-tagged"


def create_key(region: str, account_id: str, alias: str) -> Change:
    """A symmetric customer managed key with rotation on, under ``alias``. Undo keeps the key:
    tables may still be encrypted with it, and deleting a key destroys their data."""
    create = ApiStep(
        "kms:CreateKey",
        region,
        {
            "Description": "dynaguard: DynamoDB table encryption",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
        },
        "none",
        outputs={"KeyId": "KeyMetadata.KeyId"},
    )
    rotate = ApiStep("kms:EnableKeyRotation", region, {"KeyId": "{{KeyId}}"}, "none")
    name = ApiStep(
        "kms:CreateAlias", region, {"AliasName": alias, "TargetKeyId": "{{KeyId}}"}, "none"
    )
    return Change(
        "DDB.001",
        ResourceRef(NEW_KEY, alias, region, account_id),
        "none",
        f"new key {alias}",
        (create, rotate, name),
        (),
        {"alias": alias},
    )


def create_backup_plan(region: str, account_id: str, options: Options) -> Change:
    choice = options.settings.backup_plan
    vault = choice.vault if choice and choice.vault != "Default" else "dynaguard-vault"
    retention = choice.retention_days if choice else 35
    role = (choice.iam_role_arn if choice else None) or default_role(account_id)
    key, value = options.settings.backup_tag or DEFAULT_TAG
    plan = {
        "BackupPlanName": CREATED_PLAN,
        "Rules": [
            {
                "RuleName": "daily",
                "TargetBackupVaultName": vault,
                "ScheduleExpression": "cron(0 5 ? * * *)",
                "Lifecycle": {"DeleteAfterDays": retention},
            }
        ],
    }
    selection = {
        "SelectionName": SELECTION,
        "IamRoleArn": role,
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": key, "ConditionValue": value}
        ],
    }
    steps = (
        ApiStep("backup:CreateBackupVault", region, {"BackupVaultName": vault}, "none"),
        ApiStep(
            "backup:CreateBackupPlan",
            region,
            {"BackupPlan": plan},
            "none",
            outputs={"BackupPlanId": "BackupPlanId"},
        ),
        ApiStep(
            "backup:CreateBackupSelection",
            region,
            {"BackupPlanId": "{{BackupPlanId}}", "BackupSelection": selection},
            "none",
        ),
    )
    ref = ResourceRef(NEW_BACKUP_PLAN, CREATED_PLAN, region, account_id)
    return Change(
        "DDB.005",
        ref,
        "none",
        f"plan {CREATED_PLAN}, selection on tag {key}={value}",
        steps,
        (),
        {"plan": CREATED_PLAN},
    )


def prelude_id(change: Change) -> str:
    if change.resource.kind == NEW_KEY:
        return create_key_id(change.resource.region)
    return backup_plan_id(change.resource.region)


def key_exists(runner: StepRunner, region: str, alias: str) -> bool:
    try:
        runner.client("kms", region).describe_key(KeyId=alias)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return False
        raise
    return True


def apply(change: Change, runner: StepRunner) -> Mapping[str, Any]:
    """Skip whatever an interrupted earlier run already created."""
    region = change.resource.region
    if change.resource.kind == NEW_KEY:
        if key_exists(runner, region, change.resource.name):
            return {}
        return runner.run_change(change)
    outputs: dict[str, Any] = {}
    for step in change.steps:
        if step.action == "backup:CreateBackupPlan":
            existing = _plan_id(runner, region)
            if existing:
                outputs["BackupPlanId"] = existing
                continue
        if step.action == "backup:CreateBackupSelection" and _has_selection(
            runner, region, outputs["BackupPlanId"]
        ):
            continue
        try:
            outputs.update(runner.run_step(step, outputs))
        except ChangeFailed as exc:
            if "AlreadyExists" not in str(exc):
                raise
    return outputs


def verify(change: Change, runner: StepRunner) -> str | None:
    region = change.resource.region
    if change.resource.kind == NEW_KEY:
        return None if key_exists(runner, region, change.resource.name) else "key alias not found"
    plan_id = _plan_id(runner, region)
    if plan_id is None or not _has_selection(runner, region, plan_id):
        return f"backup plan {CREATED_PLAN} or its selection not found"
    return None


def _plan_id(runner: StepRunner, region: str) -> str | None:
    plans = runner.read("backup:ListBackupPlans", region).get("BackupPlansList") or ()
    for plan in plans:
        if plan.get("BackupPlanName") == CREATED_PLAN:
            return str(plan["BackupPlanId"])
    return None


def _has_selection(runner: StepRunner, region: str, plan_id: str) -> bool:
    listed = runner.read("backup:ListBackupSelections", region, BackupPlanId=plan_id)
    return any(
        s.get("SelectionName") == SELECTION for s in listed.get("BackupSelectionsList") or ()
    )
