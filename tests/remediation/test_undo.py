"""undo restores what a harden run changed; re-disabling a protection needs --force."""

from __future__ import annotations

import json

import boto3

from dynaguard.cli.main import run
from tests.remediation.conftest import write_demo_config


def state(fleet, table="sentinel-breakglass"):
    ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=fleet.url)
    desc = ddb.describe_table(TableName=table)["Table"]
    pitr = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    tags = ddb.list_tags_of_resource(ResourceArn=desc["TableArn"]).get("Tags", [])
    return (
        desc["DeletionProtectionEnabled"],
        pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        sorted(t["Key"] for t in tags),
    )


def test_undo_restores_the_previous_values(fleet, tmp_path, capsys):
    config = write_demo_config(tmp_path / "c.yaml")
    common = ["--endpoint-url", fleet.url, "--state-dir", str(tmp_path), "--poll-interval", "0.01"]
    before = state(fleet)
    assert before == (False, "DISABLED", ["owner"])
    code = run(
        [
            "harden",
            *common,
            "--region",
            "us-east-1",
            "--config",
            config,
            "--table",
            "sentinel-breakglass",
            "--only",
            "DDB.002,DDB.003,DDB.017",
            "--force",
            "--format",
            "json",
        ]
    )
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert code == 0
    assert state(fleet) == (True, "ENABLED", ["cost-center", "owner"])

    # --yes skips the prompt but not the safety rule: only the tag comes off
    assert run(["undo", run_id, *common, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "needs --force" in out
    assert state(fleet) == (True, "ENABLED", ["owner"])

    assert run(["undo", run_id, *common, "--force"]) == 0
    capsys.readouterr()
    assert state(fleet) == before

    assert run(["runs", "--state-dir", str(tmp_path), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in runs].count("undo") == 2
    assert {r["of_run"] for r in runs if r["kind"] == "undo"} == {run_id}
    assert run(["runs", "--state-dir", str(tmp_path)]) == 0
    assert run_id in capsys.readouterr().out


def test_undo_of_an_unknown_run_is_a_usage_error(tmp_path, capsys):
    assert run(["undo", "20990101T000000Z-deadbeef", "--state-dir", str(tmp_path)]) == 2
    assert "no run" in capsys.readouterr().err
