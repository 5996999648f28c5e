"""DDB.005's fix in a Region not opted in to AWS Backup for DynamoDB (emulator, BAK-2 patch:
DescribeRegionSettings / UpdateRegionSettings). A tag-based selection backs nothing up there,
so tagging the table would change nothing: the fix adds the table's ARN as a new selection to
the configured plan (or to the plan --create-backup-plan creates), never touches another
selection and never opts the Region in; with no plan to use it is MANUAL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

import dynaguard
from dynaguard.config import BackupPlanChoice, Config, HardenSettings
from dynaguard.emulator import Emulator, start_emulator
from dynaguard.model import Status
from dynaguard.remediation.base import Options
from dynaguard.remediation.harden import HardenResult, harden
from dynaguard.sources.aws.options import AwsOptions
from tests.integration.conftest import ENV
from tests.remediation.conftest import FAST

REGION = "us-east-1"
TABLE = "orders"
TAG = ("backup", "daily")
OTHERS = "team-nightly"  # another team's plan, with a tag-based selection on backup=daily


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ENV.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
            mp.delenv(k, raising=False)
        with start_emulator() as running:
            yield running
            running.reset()


@pytest.fixture
def url(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh account: one untagged table, another team's tag-based plan, and the Region's
    DynamoDB opt-in off."""
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    emulator.reset()
    endpoint = emulator.endpoint_url
    client("dynamodb", endpoint).create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    backup = client("backup", endpoint)
    backup.create_backup_vault(BackupVaultName="Default")
    plan_id = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": OTHERS,
            "Rules": [{"RuleName": "n", "TargetBackupVaultName": "Default"}],
        }
    )["BackupPlanId"]
    backup.create_backup_selection(
        BackupPlanId=plan_id,
        BackupSelection={
            "SelectionName": "tagged",
            "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
            "ListOfTags": [
                {"ConditionType": "STRINGEQUALS", "ConditionKey": TAG[0], "ConditionValue": TAG[1]}
            ],
        },
    )
    opt_in(endpoint, False)
    return endpoint


def client(service: str, url: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=url)


def opt_in(url: str, value: bool) -> None:
    client("backup", url).update_region_settings(ResourceTypeOptInPreference={"DynamoDB": value})


def selections(url: str) -> dict[str, list[dict[str, Any]]]:
    """plan name -> its selections (as GetBackupSelection returns them)."""
    backup = client("backup", url)
    out: dict[str, list[dict[str, Any]]] = {}
    for plan in backup.list_backup_plans()["BackupPlansList"]:
        pid = plan["BackupPlanId"]
        listed = backup.list_backup_selections(BackupPlanId=pid)["BackupSelectionsList"]
        out[plan["BackupPlanName"]] = [
            backup.get_backup_selection(BackupPlanId=pid, SelectionId=s["SelectionId"])[
                "BackupSelection"
            ]
            for s in listed
        ]
    return out


def run(url: str, tmp_path: Path, dry_run: bool = False, **settings: Any) -> HardenResult:
    create = settings.pop("create_backup_plan", False)
    config = Config(harden=replace(HardenSettings(), **settings))
    return harden(
        AwsOptions(regions=(REGION,), endpoint_url=url),
        config=config,
        options=Options(settings=config.harden, create_backup_plan=create),
        only=["DDB.005"],
        dry_run=dry_run,
        state_dir=tmp_path,
        timing=FAST,
    )


def ddb005(url: str) -> str:
    report = dynaguard.scan(AwsOptions(regions=(REGION,), endpoint_url=url), controls=["DDB.005"])
    [finding] = [f for f in report.findings if f.resource_id == TABLE]
    return finding.status.value


def test_tag_only_is_manual_and_tags_nothing(url: str, tmp_path: Path) -> None:
    before = selections(url)
    result = run(url, tmp_path, backup_tag=TAG)
    assert not result.plan.all_changes
    [manual] = result.plan.manual
    assert (manual.control_id, manual.resource.name) == ("DDB.005", TABLE)
    assert "not opted in" in manual.reason
    assert any("update-region-settings" in step for step in manual.steps)
    tags = client("dynamodb", url).list_tags_of_resource(
        ResourceArn=f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLE}"
    )
    assert tags.get("Tags", []) == []
    assert selections(url) == before
    assert (
        client("backup", url).describe_region_settings()["ResourceTypeOptInPreference"]["DynamoDB"]
        is False
    )  # never opted in behind the user's back


def test_configured_plan_gets_a_selection_naming_the_table(url: str, tmp_path: Path) -> None:
    assert ddb005(url) == Status.FAIL.value
    before = selections(url)[OTHERS]
    plan = BackupPlanChoice(plan=OTHERS, iam_role_arn="arn:aws:iam::123456789012:role/backup")
    result = run(url, tmp_path, backup_tag=TAG, backup_plan=plan)
    [change] = result.plan.changes
    assert change.steps[0].action == "backup:CreateBackupSelection"
    assert [o.status for o in result.outcomes] == ["applied"]
    after = selections(url)[OTHERS]
    assert after[: len(before)] == before  # the existing selection is untouched
    [added] = after[len(before) :]
    assert added["Resources"] == [f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLE}"]
    assert ddb005(url) == Status.PASS.value  # an ARN naming DynamoDB is honoured
    again = run(url, tmp_path, dry_run=True, backup_tag=TAG, backup_plan=plan)
    assert again.plan.all_changes == ()


def test_created_plan_names_the_table(url: str, tmp_path: Path) -> None:
    result = run(url, tmp_path, create_backup_plan=True)
    assert [o.status for o in result.outcomes] == ["applied", "applied"]  # the plan, the table
    created = selections(url)["dynaguard-daily"]
    arns = [arn for s in created for arn in s.get("Resources") or ()]
    assert arns == [f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLE}"]
    assert ddb005(url) == Status.PASS.value


def test_opted_in_region_still_gets_the_tag(url: str, tmp_path: Path) -> None:
    opt_in(url, True)
    result = run(url, tmp_path, dry_run=True, backup_tag=TAG)
    [change] = result.plan.changes
    assert change.steps[0].action == "dynamodb:TagResource"
