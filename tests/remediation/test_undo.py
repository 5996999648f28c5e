"""undo restores what a harden run changed: --yes only skips the prompt, re-disabling a
protection needs --allow-unprotect, a second undo changes nothing, a damaged journal is
reported and skipped (exit 3), and undo follows the selection."""

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


def common(fleet, tmp_path):
    return ["--endpoint-url", fleet.url, "--state-dir", str(tmp_path), "--poll-interval", "0.01"]


def harden(fleet, tmp_path, capsys, *tables):
    config = write_demo_config(tmp_path / "c.yaml")
    code = run(
        [
            "harden",
            *common(fleet, tmp_path),
            "--region",
            "us-east-1",
            "--config",
            config,
            *(w for t in tables for w in ("--table", t)),
            "--only",
            "DDB.002,DDB.003,DDB.017",
            "--yes",
            "--format",
            "json",
        ]
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)["run_id"]


def test_undo_restores_the_previous_values(fleet, tmp_path, capsys):
    before = state(fleet)
    assert before == (False, "DISABLED", ["owner"])
    run_id = harden(fleet, tmp_path, capsys, "sentinel-breakglass")
    assert state(fleet) == (True, "ENABLED", ["cost-center", "owner"])

    # --yes skips the prompt but not the safety rule: only the tag comes off
    assert run(["undo", run_id, *common(fleet, tmp_path), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "needs --allow-unprotect" in out
    assert state(fleet) == (True, "ENABLED", ["owner"])

    # --allow-unprotect does not skip the prompt: no terminal, no --yes -> exit 2, no change
    assert run(["undo", run_id, *common(fleet, tmp_path), "--allow-unprotect"]) == 2
    err = capsys.readouterr().err
    assert "pass --yes" in err and "unprotect" not in err
    assert state(fleet) == (True, "ENABLED", ["owner"])

    assert run(["undo", run_id, *common(fleet, tmp_path), "--yes", "--allow-unprotect"]) == 0
    out = capsys.readouterr().out
    assert "already undone: DDB.017" in out  # the first undo restored the tag
    assert state(fleet) == before

    # a third undo: everything was restored, nothing is changed, no new undo run
    assert run(["undo", run_id, *common(fleet, tmp_path), "--yes", "--allow-unprotect"]) == 0
    assert "was already undone" in capsys.readouterr().out

    assert run(["runs", "--state-dir", str(tmp_path), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in runs].count("undo") == 2
    assert {r["of_run"] for r in runs if r["kind"] == "undo"} == {run_id}
    assert run(["runs", "--state-dir", str(tmp_path)]) == 0
    assert run_id in capsys.readouterr().out


def test_undo_follows_the_selection(fleet, tmp_path, capsys):
    run_id = harden(fleet, tmp_path, capsys, "audit-log", "audit-scratch")
    assert state(fleet, "audit-log")[0] and state(fleet, "audit-scratch")[0]
    args = ["undo", run_id, *common(fleet, tmp_path), "--yes", "--allow-unprotect"]
    assert run([*args, "--table", "audit-log"]) == 0
    capsys.readouterr()
    assert state(fleet, "audit-log")[0] is False
    assert state(fleet, "audit-scratch")[0] is True  # not selected: untouched
    assert run(args) == 0  # the rest
    assert "already undone: DDB.003 on table audit-log" in capsys.readouterr().out
    assert state(fleet, "audit-scratch")[0] is False


def test_damaged_journal_lines_are_reported_and_skipped(fleet, tmp_path, capsys):
    run_id = harden(fleet, tmp_path, capsys, "catalog")
    journal = tmp_path / "runs" / f"{run_id}.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    damaged = [lines[0], b"[1, 2, 3]\n", b"\xff\xfe not utf-8\n", *lines[1:], b'{"event": "do']
    journal.write_bytes(b"".join(damaged))

    assert run(["runs", "--state-dir", str(tmp_path), "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert [r["damaged_lines"] for r in json.loads(captured.out)] == [3]
    assert f"{journal}:2: not a journal event" in captured.err
    assert f"{journal}:3: bytes that are not UTF-8" in captured.err
    assert "not JSON (a line cut by a kill?)" in captured.err and "Traceback" not in captured.err

    code = run(["undo", run_id, *common(fleet, tmp_path), "--yes", "--allow-unprotect"])
    captured = capsys.readouterr()
    assert code == 3 and "Traceback" not in captured.err
    assert state(fleet, "catalog")[0] is False  # the valid lines were still undone
    # the damage stays reported (and only that: the undo's own journal is clean)
    assert run(["runs", "--state-dir", str(tmp_path), "--format", "json"]) == 3
    assert sum(r["damaged_lines"] for r in json.loads(capsys.readouterr().out)) == 3


def test_undo_of_an_unknown_run_is_a_usage_error(tmp_path, capsys):
    assert run(["undo", "20990101T000000Z-deadbeef", "--state-dir", str(tmp_path)]) == 2
    assert "no run" in capsys.readouterr().err
