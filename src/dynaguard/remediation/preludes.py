"""Changes that other changes need first, made once per region: a customer managed key
(``--create-key``) and a daily backup plan with a tag-based selection (``--create-backup-plan``).

Both are idempotent on a rerun: the key is found by its alias, the plan by its name. The key is
tagged when it is created (``dynaguard:purpose=table-encryption``, ``dynaguard:run=RUN_ID``), so
a run killed between CreateKey and CreateAlias leaves a key the next run finds (ListKeys, then
ListResourceTags on each key no alias points to) and adopts (rotation on, the alias) instead of
creating a second one and orphaning the first. The search runs only when the alias is missing.
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupPlan.html
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from dynaguard.logs import get_logger
from dynaguard.remediation.base import Options
from dynaguard.remediation.change import ApiStep, Change, ResourceRef
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
PURPOSE_TAG = ("dynaguard:purpose", "table-encryption")
RUN_TAG = "dynaguard:run"

log = get_logger("harden")


def create_key(region: str, account_id: str, alias: str, run_id: str) -> Change:
    """A symmetric customer managed key with rotation on, under ``alias``, tagged with its
    purpose and ``run_id`` (how a rerun finds it if the alias was never made). Undo keeps the
    key: tables may still be encrypted with it, and deleting a key destroys their data."""
    create = ApiStep(
        "kms:CreateKey",
        region,
        {
            "Description": "dynaguard: DynamoDB table encryption",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "Tags": [
                {"TagKey": PURPOSE_TAG[0], "TagValue": PURPOSE_TAG[1]},
                {"TagKey": RUN_TAG, "TagValue": run_id},
            ],
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
        return _apply_key(change, runner)
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


def _apply_key(change: Change, runner: StepRunner) -> Mapping[str, Any]:
    """The alias exists: nothing to do. Else adopt the key an interrupted run created (tagged,
    no alias), or create one. The outputs (journaled) say which key was adopted."""
    region, alias = change.resource.region, change.resource.name
    if key_exists(runner, region, alias):
        return {}
    found = orphaned_keys(runner, region)
    if not found:
        return runner.run_change(change)
    adopted, *others = found
    log.warning(
        "adopting key %s in %s (tagged by run %s, no alias) as %s",
        adopted["KeyId"],
        region,
        adopted.get("run") or "?",
        alias,
    )
    outputs: dict[str, Any] = {
        "KeyId": adopted["KeyId"],
        "adopted_key": adopted["Arn"],
        "adopted_from_run": adopted.get("run"),
    }
    if others:
        outputs["other_orphaned_keys"] = [k["Arn"] for k in others]
        log.warning(
            "other keys in %s tagged %s=%s without an alias (left as they are): %s",
            region,
            *PURPOSE_TAG,
            ", ".join(k["KeyId"] for k in others),
        )
    for step in change.steps:
        if step.action != "kms:CreateKey":
            runner.run_step(step, outputs)
    return outputs


def orphaned_keys(runner: StepRunner, region: str) -> list[dict[str, Any]]:
    """Enabled customer managed keys tagged ``dynaguard:purpose=table-encryption`` that no alias
    points to, oldest first. One ListResourceTags per key without an alias."""
    aliased = {a.get("TargetKeyId") for a in _pages(runner, "kms:ListAliases", region, "Aliases")}
    found = []
    for key in _pages(runner, "kms:ListKeys", region, "Keys"):
        key_id = str(key["KeyId"])
        if key_id in aliased:
            continue
        tags = _key_tags(runner, region, key_id)
        if tags is None or tags.get(PURPOSE_TAG[0]) != PURPOSE_TAG[1]:
            continue
        meta = runner.read("kms:DescribeKey", region, KeyId=key_id)["KeyMetadata"]
        if (
            meta.get("KeyState") == "Enabled"
            and meta.get("KeyManager") == "CUSTOMER"
            and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
            and meta.get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
        ):
            found.append({**meta, "run": tags.get(RUN_TAG)})
    return sorted(found, key=_created)


def _created(meta: Mapping[str, Any]) -> tuple[float, str]:
    created = meta.get("CreationDate")
    return (created.timestamp() if isinstance(created, dt.datetime) else 0.0, str(meta["KeyId"]))


def _pages(runner: StepRunner, action: str, region: str, field: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        page = runner.read(action, region, **params)
        items.extend(page.get(field) or ())
        if not page.get("Truncated") or not page.get("NextMarker"):
            return items
        params = {"Marker": page["NextMarker"]}


def _key_tags(runner: StepRunner, region: str, key_id: str) -> dict[str, str] | None:
    """The key's tags; None when its key policy hides them from us (not ours, then)."""
    tags: dict[str, str] = {}
    params: dict[str, Any] = {"KeyId": key_id}
    while True:
        try:
            page = runner.client("kms", region).list_resource_tags(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("AccessDeniedException", "NotFoundException"):
                log.info("key %s in %s: tags not readable (%s), not adopted", key_id, region, code)
                return None
            raise ChangeFailed(f"kms:ListResourceTags on {key_id} in {region}: {exc}") from None
        tags.update({t["TagKey"]: t["TagValue"] for t in page.get("Tags") or ()})
        if not page.get("Truncated") or not page.get("NextMarker"):
            return tags
        params = {"KeyId": key_id, "Marker": page["NextMarker"]}


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
