"""dynaguard drill end to end on the emulator: restore, verify, measure, delete, record; dry-run
and cancellation make no mutating call; a run killed between restore and delete leaves a
journal the next drill uses to delete the scratch table."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.drill import is_scratch_table
from dynaguard.emulator.proxy import FaultProxy
from dynaguard.history import open_history
from tests.integration.conftest import ENV

TABLE = "sentinel-approvals"  # customer managed key, PITR 35 days


def ddb(fleet):
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=fleet.url)


def scratch_tables(fleet) -> list[str]:
    return [t for t in ddb(fleet).list_tables()["TableNames"] if is_scratch_table(t)]


def drill(fleet, state: Path, *extra: str, table: str = TABLE) -> tuple[int, dict]:
    args = ["drill", table, "--region", "us-east-1", "--endpoint-url", fleet.url]
    args += ["--state-dir", str(state), "--poll-interval", "0.01", "--format", "json", *extra]
    return run(args), {}


@pytest.fixture(scope="module")
def seeded(fleet):
    client = ddb(fleet)
    for i in range(150):
        client.put_item(TableName=TABLE, Item={"pk": {"S": f"k{i:03}"}, "n": {"N": str(i)}})
    return fleet


def test_drill_restores_verifies_deletes_and_records(seeded, tmp_path, capsys) -> None:
    code, _ = drill(seeded, tmp_path, "--yes")
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    assert result["outcome"] == "succeeded"
    assert is_scratch_table(result["scratch_table"]) and TABLE in result["scratch_table"]
    checks = {c["check"]: c for c in result["checks"]}
    assert {c["status"] for c in checks.values()} == {"PASS"}
    assert set(checks) == {
        "key schema",
        "global indexes",
        "local indexes",
        "encryption",
        "item count",
        "item sample",
        "RPO",
        "RTO",
    }
    assert checks["encryption"]["detail"].startswith("kms:arn:aws:kms:us-east-1:")
    assert "150 items" in checks["item count"]["detail"]
    assert "100 sampled items identical" in checks["item sample"]["detail"]
    assert result["rpo_seconds"] >= 0 and result["rto_seconds"] >= 0
    assert result["scratch_deleted"] is True and scratch_tables(seeded) == []
    with open_history(tmp_path) as store:
        (event,) = store.events("restore_drill")
    assert event["data"]["outcome"] == "succeeded" and event["data"]["table"] == TABLE
    journal = [json.loads(line) for line in Path(result["journal"]).read_text().splitlines()]
    events = [e["event"] for e in journal]
    assert events == [
        "run",
        "restore_requested",
        "restored",
        "verified",
        "scratch_deleted",
        "finished",
    ]


def test_dry_run_and_cancel_restore_nothing(seeded, tmp_path, capsys) -> None:
    code, _ = drill(seeded, tmp_path, "--dry-run")
    planned = json.loads(capsys.readouterr().out)
    assert code == 0 and planned["outcome"] == "planned"
    assert planned["cost_usd"] == 0.0 and "per GB" in planned["cost_basis"]
    assert scratch_tables(seeded) == [] and not (tmp_path / "runs").exists()
    # no terminal and no --yes: a usage error, nothing restored
    code, _ = drill(seeded, tmp_path)
    assert code == 2
    assert "--yes" in capsys.readouterr().err
    assert scratch_tables(seeded) == []


def test_keep_leaves_the_scratch_table_and_later_drills_leave_it_too(seeded, tmp_path, capsys):
    code, _ = drill(seeded, tmp_path, "--yes", "--keep")
    kept = json.loads(capsys.readouterr().out)
    assert code == 0 and kept["scratch_kept"] is True
    assert scratch_tables(seeded) == [kept["scratch_table"]]
    code, _ = drill(seeded, tmp_path, "--yes", table="audit-log")
    assert code == 0
    assert json.loads(capsys.readouterr().out)["cleaned_up"] == []
    assert scratch_tables(seeded) == [kept["scratch_table"]]
    ddb(seeded).delete_table(TableName=kept["scratch_table"])


def test_a_table_without_pitr_fails_and_a_bad_time_is_a_usage_error(seeded, tmp_path, capsys):
    code, _ = drill(seeded, tmp_path, "--yes", table="sentinel-breakglass")
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and "point-in-time recovery is off" in result["error"]
    assert (
        run(
            [
                "drill",
                TABLE,
                "--region",
                "us-east-1",
                "--endpoint-url",
                seeded.url,
                "--at",
                "2001-01-01T00:00:00Z",
                "--yes",
                "--state-dir",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "outside the restorable window" in capsys.readouterr().err
    assert run(["drill", TABLE, "--at", "yesterday", "--region", "us-east-1"]) == 2
    assert scratch_tables(seeded) == []


def test_a_missed_rpo_target_fails_the_drill(seeded, tmp_path, capsys) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("drill: {rpo_target_minutes: 0.001}\n")  # 60 ms
    earliest = ddb(seeded).describe_continuous_backups(TableName=TABLE)[
        "ContinuousBackupsDescription"
    ]["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
    time.sleep(0.2)
    code, _ = drill(
        seeded, tmp_path, "--yes", "--config", str(config), "--at", earliest.isoformat()
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["outcome"] == "failed"
    rpo = next(c for c in result["checks"] if c["check"] == "RPO")
    assert rpo["status"] == "FAIL" and "target 0.001 min" in rpo["detail"]
    assert result["scratch_deleted"] is True


def _journal(state: Path) -> list[dict]:
    lines = []
    for path in (state / "runs").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):
                lines.append(json.loads(line))
    return lines


def test_a_drill_killed_between_restore_and_delete_is_cleaned_up_next_time(
    seeded, tmp_path, capsys
) -> None:
    state = tmp_path / "state"
    env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    with FaultProxy(seeded.url, delay_ms=60) as slow:  # 100 sampled reads: seconds to kill in
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dynaguard.cli.main",
                "drill",
                TABLE,
                "--region",
                "us-east-1",
                "--endpoint-url",
                slow,
                "--state-dir",
                str(state),
                "--yes",
                "--poll-interval",
                "0.01",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(e["event"] == "restored" for e in _journal(state)):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the drill finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    left = scratch_tables(seeded)
    assert len(left) == 1  # the kill left the scratch table behind
    assert not any(e["event"] in ("scratch_deleted", "finished") for e in _journal(state))

    code, _ = drill(seeded, state, "--yes", table="audit-log")
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["cleaned_up"] == [f"{left[0]} (us-east-1, drill {_killed_run(state)}): deleted"]
    assert scratch_tables(seeded) == []
    deleted = [e for e in _journal(state) if e["event"] == "scratch_deleted"]
    assert {e["scratch_table"] for e in deleted} >= {left[0]}
    # nothing left: the next drill finds nothing to clean
    code, _ = drill(seeded, state, "--yes", table="audit-log")
    assert json.loads(capsys.readouterr().out)["cleaned_up"] == []


def _killed_run(state: Path) -> str:
    for path in (state / "runs").glob("*.jsonl"):
        events = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
        if any(e["event"] == "restore_requested" and TABLE in e["scratch_table"] for e in events):
            return path.stem
    raise AssertionError("no journal of the killed drill")


def test_the_drill_policy_allows_every_call_a_drill_makes(seeded, tmp_path, capsys) -> None:
    from importlib import resources

    from dynaguard.drill import DrillRequest, run_drill
    from dynaguard.engine import resolve_config
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.recorder import CallRecorder
    from dynaguard.sources.aws.session import AwsSession

    recorder = CallRecorder()
    session = AwsSession(AwsOptions(regions=("us-east-1",), endpoint_url=seeded.url), "t", recorder)
    result = run_drill(
        DrillRequest(TABLE, "us-east-1"), session, resolve_config(None), tmp_path, run_id="t"
    )
    assert result.outcome == "succeeded"
    policy = json.loads(
        resources.files("dynaguard.policies").joinpath("drill-policy.json").read_text()
    )
    scratch_only = {"dynaguard-drill-"}
    allowed = set()
    for statement in policy["Statement"]:
        if statement["Effect"] == "Allow":
            allowed |= set(statement["Action"])
        if statement["Resource"] != "*":  # the scratch-only grants name the scratch prefix
            assert any(p in statement["Resource"] for p in scratch_only)
    assert recorder.actions() <= allowed, sorted(recorder.actions() - allowed)
    assert "dynamodb:DeleteTable" in recorder.actions()


def test_scan_shows_each_tables_last_successful_drill(seeded, tmp_path, capsys) -> None:
    scan = [
        "scan",
        "--region",
        "us-east-1",
        "--endpoint-url",
        seeded.url,
        "--state-dir",
        str(tmp_path),
        "--controls",
        "DDB.002",
    ]
    run(scan)
    assert "restore drill" not in capsys.readouterr().out  # none yet
    drill(seeded, tmp_path, "--yes", table="sentinel-breakglass")  # fails: PITR off
    drill(seeded, tmp_path, "--yes")
    capsys.readouterr()
    run(scan)
    out = capsys.readouterr().out
    assert f"{TABLE} (us-east-1): last successful restore drill 20" in out
    assert "sentinel-breakglass (us-east-1): last successful" not in out


def test_missing_tables_and_dead_endpoints_are_one_line_errors(seeded, tmp_path, capsys) -> None:
    assert drill(seeded, tmp_path, "--yes", table="no-such-table")[0] == 2
    assert "not found in us-east-1" in capsys.readouterr().err
    dead = [
        "drill",
        TABLE,
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--state-dir",
        str(tmp_path),
        "--yes",
    ]
    assert run(dead) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot establish the AWS identity" in err
