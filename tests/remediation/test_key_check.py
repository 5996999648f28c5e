"""harden checks the keys it is told to use before planning: one that does not exist, is
disabled, is the AWS managed key or lives in another region is a usage error (exit 2) naming
each problem, even with --dry-run, and no table is read."""

from __future__ import annotations

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.remediation import harden as harden_module
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession


@pytest.fixture
def recorder(monkeypatch):
    recorder = CallRecorder()
    monkeypatch.setattr(
        harden_module, "AwsSession", lambda o, r, _=None: AwsSession(o, r, recorder)
    )
    return recorder


def dry_run(fleet, *keys):
    return run(
        [
            "harden",
            *("--endpoint-url", fleet.url, "--region", "us-east-1", "--dry-run"),
            *("--table", "sentinel-breakglass", "--only", "DDB.001"),
            *(w for k in keys for w in ("--kms-key", k)),
        ]
    )


def test_bad_keys_fail_before_planning(fleet, recorder, capsys):
    kms = boto3.client("kms", region_name="us-east-1", endpoint_url=fleet.url)
    disabled = kms.create_key(Description="off")["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    disabled = disabled["Arn"]
    elsewhere = fleet.manifest.kms_keys[("eu-west-1", "alias/sentinel-cmk-replica")]
    assert dry_run(fleet, "alias/no-such-key") == 2
    assert "KMS key alias/no-such-key for us-east-1 does not exist in us-east-1" in (
        capsys.readouterr().err
    )
    assert dry_run(fleet, "alias/aws/dynamodb") == 2
    assert "is an AWS managed key, not a customer managed key" in capsys.readouterr().err
    assert dry_run(fleet, disabled) == 2
    assert "is Disabled, not Enabled" in capsys.readouterr().err
    assert dry_run(fleet, f"us-east-1={elsewhere}") == 2
    assert "is in eu-west-1, not us-east-1" in capsys.readouterr().err
    assert not {a for a in recorder.actions() if a.startswith("dynamodb:")}  # nothing planned


def test_a_good_key_plans(fleet, recorder, capsys):
    assert dry_run(fleet, "alias/sentinel-cmk") == 0
    assert "alias/sentinel-cmk" in capsys.readouterr().out
    assert recorder.count("kms:DescribeKey") >= 1
