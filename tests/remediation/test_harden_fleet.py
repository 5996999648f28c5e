"""harden on the seeded demo fleet, in order: dry-run, cancel, no terminal, prompt, one
failing table, then every fix applied and a second plan empty."""

from __future__ import annotations

import io
import json
from pathlib import Path

import boto3
import pytest

import dynaguard
from dynaguard.cli.main import run
from dynaguard.emulator.proxy import Fault, FaultProxy
from dynaguard.model import Status
from dynaguard.remediation import harden as harden_module
from dynaguard.remediation.harden import harden
from dynaguard.remediation.probes import PROBES
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession
from tests.remediation.conftest import FAST, aws_options, demo_options, write_demo_config

READ_PREFIXES = ("Describe", "List", "Get")


def mutating(recorder: CallRecorder) -> set[str]:
    return {a for a in recorder.actions() if not a.split(":")[1].startswith(READ_PREFIXES)}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def recorded(monkeypatch):
    """Every AwsSession the harden command opens records its calls here."""
    recorder = CallRecorder()

    def session(options, run_id, _recorder=None):
        return AwsSession(options, run_id, recorder)

    monkeypatch.setattr(harden_module, "AwsSession", session)
    return recorder


def describe(fleet, table, region="us-east-1"):
    ddb = boto3.client("dynamodb", region_name=region, endpoint_url=fleet.url)
    return ddb.describe_table(TableName=table)["Table"]


def cli(fleet, tmp_path, *extra, url=None):
    config = write_demo_config(tmp_path / "c.yaml")
    return run(
        [
            "harden",
            "--endpoint-url",
            url or fleet.url,
            "--region",
            "us-east-1",
            "--config",
            config,
            "--state-dir",
            str(tmp_path / "state"),
            "--poll-interval",
            "0.01",
            *extra,
        ]
    )


def test_dry_run_plans_every_fix_with_zero_mutating_calls(fleet):
    config, options = demo_options()
    recorder = CallRecorder()
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        dry_run=True,
        recorder=recorder,
        timing=FAST,
    )
    assert result.dry_run and result.exit_code == 0 and not result.outcomes
    planned = {(c.control_id, c.resource.name) for c in result.plan.changes}
    assert {
        ("DDB.003", "catalog"),
        ("DDB.002", "sentinel-sessions"),
        ("DDB.010", "orders"),
    } <= planned
    assert ("DDB.004", "catalog") in planned and (
        "DDB.016",
        fleet.manifest.kms_keys[("us-east-1", "alias/legacy-cmk")],
    ) in planned
    assert [c.resource.region for c in result.plan.preludes] == ["us-west-2"]  # create-key there
    assert mutating(recorder) == set()
    assert recorder.total() > 0


def test_cancel_at_the_prompt_exits_2_and_changes_nothing(
    fleet, tmp_path, monkeypatch, capsys, recorded
):
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert cli(fleet, tmp_path, "--only", "DDB.003") == 2
    out = capsys.readouterr()
    assert "cancelled" in out.out and "[y/N]" in out.err
    assert "catalog" in out.out  # the preview was shown
    assert mutating(recorded) == set()
    assert not (tmp_path / "state").exists()
    assert describe(fleet, "catalog")["DeletionProtectionEnabled"] is False


def test_no_terminal_and_no_yes_is_exit_2(fleet, tmp_path, monkeypatch, capsys, recorded):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert cli(fleet, tmp_path, "--only", "DDB.003") == 2
    err = capsys.readouterr().err
    assert "pass --yes" in err and "--force" not in err and "unprotect" not in err
    assert mutating(recorded) == set()


def test_prompt_reads_stdin_and_applies(fleet, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert cli(fleet, tmp_path, "--only", "DDB.003", "--table", "catalog") == 0
    assert "applied" in capsys.readouterr().out
    assert describe(fleet, "catalog")["DeletionProtectionEnabled"] is True


def test_one_failing_table_does_not_stop_the_others(fleet, tmp_path, capsys):
    deny = Fault("UpdateTable", "deny", body_contains='"audit-log"')
    with FaultProxy(fleet.url, faults=[deny]) as url:
        code = cli(fleet, tmp_path, "--only", "DDB.003", "--yes", "--format", "json", url=url)
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["exit_code"] == 1
    status = {r["resource"]["name"]: r for r in data["results"]}
    assert status["audit-log"]["status"] == "failed"
    assert "AccessDenied" in status["audit-log"]["detail"]
    assert {status[t]["status"] for t in ("sentinel-breakglass", "audit-scratch")} == {"applied"}
    assert describe(fleet, "audit-scratch")["DeletionProtectionEnabled"] is True
    assert describe(fleet, "audit-log")["DeletionProtectionEnabled"] is False


def test_every_fix_applied_then_second_plan_is_empty(fleet, tmp_path):
    config, options = demo_options(ttl_attributes={"catalog": "expires_at"})
    recorder = CallRecorder()
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        confirm=lambda plan: True,
        state_dir=tmp_path,
        recorder=recorder,
        timing=FAST,
    )
    failed = [
        (o.change.control_id, o.change.resource.name, o.detail)
        for o in result.outcomes
        if o.status != "applied"
    ]
    assert not failed
    assert result.exit_code == 0
    fixed = {o.change.control_id for o in result.outcomes}
    assert {
        "DDB.001",
        "DDB.002",
        "DDB.003",
        "DDB.004",
        "DDB.005",
        "DDB.006",
        "DDB.009",
        "DDB.010",
        "DDB.011",
        "DDB.013",
        "DDB.014",
        "DDB.015",
        "DDB.016",
        "DDB.017",
    } <= fixed
    # every call a change or its undo makes can be read back (crash reconciliation, undo)
    unprobed = {
        step.action
        for o in result.outcomes
        if o.change not in result.plan.preludes
        for step in (*o.change.steps, *o.change.undo_steps)
    } - set(PROBES)
    assert not unprobed
    second = harden(aws_options(fleet), config=config, options=options, dry_run=True, timing=FAST)
    assert second.plan.all_changes == ()
    report = dynaguard.scan(aws_options(fleet), config=config)
    still = {(f.control_id, f.resource_id) for f in report.findings if f.status is Status.FAIL}
    assert {c for c, _ in still} <= {"DDB.007", "DDB.008", "DDB.012", "DDB.014"}  # MANUAL only
    assert ("DDB.014", "catalog") not in still
    # never deleted a table, never touched an item
    used = recorder.actions()
    assert not {
        a for a in used if a.endswith(("DeleteTable", "PutItem", "DeleteItem", "UpdateItem"))
    }
    journal = [json.loads(line) for line in Path(result.journal).read_text().splitlines()]
    assert journal[0]["event"] == "run" and journal[-1]["event"] == "finished"
    assert sum(1 for e in journal if e["event"] == "done") == len(result.outcomes)
