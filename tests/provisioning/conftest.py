"""Fixtures for provisioning: the patched emulator server (reset per test), offline credentials,
a rotating customer managed key, and a runner for the ``dynaguard provision`` CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.emulator import Emulator, start_emulator

REGION = "us-east-1"
REPLICA_REGION = "us-west-2"
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with start_emulator() as running:
        yield running


@dataclass
class Aws:
    emulator: Emulator

    @property
    def url(self) -> str:
        return self.emulator.endpoint_url

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(service, **self.emulator.client_kwargs(region))

    def customer_key(self, region: str = REGION) -> str:
        kms = self.client("kms", region)
        key = kms.create_key(Description="provisioning test")["KeyMetadata"]
        kms.enable_key_rotation(KeyId=key["KeyId"])
        return str(key["Arn"])

    def alarm_topic(self, region: str = REGION) -> str:
        """An SNS topic for the DDB.018 throttling alarms."""
        return str(self.client("sns", region).create_topic(Name="dynamodb-ops")["TopicArn"])

    def backup_plan_by_tag(self, key: str = "backup", value: str = "daily") -> None:
        """A backup plan selecting every resource tagged ``key=value`` (DDB.005)."""
        backup = self.client("backup")
        plan = backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": "daily",
                "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}],
            }
        )
        backup.create_backup_selection(
            BackupPlanId=plan["BackupPlanId"],
            BackupSelection={
                "SelectionName": "tagged",
                "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
                "ListOfTags": [
                    {"ConditionType": "STRINGEQUALS", "ConditionKey": key, "ConditionValue": value}
                ],
            },
        )


@pytest.fixture
def aws(emulator: Emulator) -> Iterator[Aws]:
    emulator.reset()
    yield Aws(emulator)
    emulator.reset()


Provision = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture
def provision(aws: Aws, capsys: pytest.CaptureFixture[str]) -> Provision:
    """Run ``dynaguard provision ... --format json`` on the emulator; (exit code, result)."""

    def invoke(*args: str) -> tuple[int, dict[str, Any]]:
        argv = ["provision", *args, "--endpoint-url", aws.url, "--format", "json"]
        argv += ["--poll-interval", "0.01"]
        code = run(argv)
        captured = capsys.readouterr()
        invoke.stderr = captured.err  # type: ignore[attr-defined]
        return code, json.loads(captured.out) if captured.out.strip() else {}

    return invoke


CONFIG_WITH_TAGS = "baseline:\n  required_tags: [owner, cost-center]\n"


@pytest.fixture
def config_file(tmp_path: Any) -> str:
    path = tmp_path / "dynaguard.yaml"
    path.write_text(CONFIG_WITH_TAGS)
    return str(path)
