"""A change left pending by a kill is settled by reading the resource: partly applied is
recovered (undo restores exactly what took effect), unreadable stays pending (exit 3), and the
journal stays well formed when a line was cut."""

from __future__ import annotations

import json

import boto3

from dynaguard.cli.main import run
from dynaguard.emulator.proxy import Fault, FaultProxy
from dynaguard.remediation.harden import harden
from dynaguard.remediation.journal import Journal, read_run
from dynaguard.remediation.reconcile import needs_reconciling, reconcile
from dynaguard.remediation.steps import StepRunner
from dynaguard.selection import Selection
from dynaguard.sources.aws.session import AwsSession
from tests.remediation.conftest import FAST, aws_options, demo_options


def scaling(fleet):
    aas = boto3.client("application-autoscaling", region_name="us-east-1", endpoint_url=fleet.url)
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
    return sorted(t["ResourceId"] + t["ScalableDimension"] for t in targets), sorted(
        p["PolicyName"] for p in policies
    )


def planned(fleet, control, table):
    config, options = demo_options()
    result = harden(
        aws_options(fleet, selection=Selection(tables=(table,))),
        config=config,
        options=options,
        only=[control],
        dry_run=True,
        timing=FAST,
    )
    (change,) = result.plan.changes
    return change


def runner(fleet, url=None):
    return StepRunner(AwsSession(aws_options(fleet, url), "t"), FAST)


def test_a_partly_applied_change_is_recovered_and_undone_exactly(fleet, tmp_path, capsys):
    before = scaling(fleet)
    change = planned(fleet, "DDB.004", "audit-log")  # read and write: target + policy each
    assert len(change.steps) == 4
    journal = Journal(tmp_path, "20260101T000000Z-00000001")
    journal.start("harden", account_id=fleet.manifest.account_id)
    journal.pending(change)
    steps = runner(fleet)
    steps.run_step(change.steps[0], {})  # killed after the first call
    assert scaling(fleet) != before

    result = reconcile(needs_reconciling(tmp_path), steps)
    assert result.settled == 1 and result.undetermined == 0
    (entry,) = read_run(journal.path).entries
    assert (entry.status, entry.detail) == ("recovered", "1 of 4 call(s) in effect")

    args = ["--state-dir", str(tmp_path), "--endpoint-url", fleet.url, "--poll-interval", "0.01"]
    assert run(["undo", journal.run_id, *args, "--yes", "--format", "json"]) == 0
    (outcome,) = json.loads(capsys.readouterr().out)["results"]
    assert outcome["status"] == "applied" and outcome["detail"] == "3 of 4 already in place"
    assert scaling(fleet) == before


def test_an_unreadable_state_stays_pending_and_is_never_undone(fleet, tmp_path, capsys):
    change = planned(fleet, "DDB.003", "audit-scratch")
    journal = Journal(tmp_path, "20260101T000000Z-00000002")
    journal.start("harden", account_id=fleet.manifest.account_id)
    journal.pending(change)
    deny = Fault("DescribeTable", "deny", body_contains='"audit-scratch"')
    with FaultProxy(fleet.url, faults=[deny]) as url:
        args = ["--state-dir", str(tmp_path), "--endpoint-url", url, "--poll-interval", "0.01"]
        assert run(["runs", *args]) == 3
        assert "still pending, its state could not be read" in capsys.readouterr().err
        assert run(["undo", journal.run_id, *args, "--yes"]) == 3
        out = capsys.readouterr().out
    assert "still pending in the journal" in out and "nothing to undo" in out
    assert read_run(journal.path).entries[0].status == "pending"
    # readable again: never applied, so settled as such
    assert run(["runs", "--state-dir", str(tmp_path), "--endpoint-url", fleet.url]) == 0
    assert read_run(journal.path).entries[0].status == "not_applied"


def test_a_line_cut_by_a_kill_keeps_the_next_event_on_its_own_line(tmp_path):
    journal = Journal(tmp_path, "r")
    journal.start("harden")
    with journal.path.open("ab") as handle:
        handle.write(b'{"event": "pend')  # what SIGKILL leaves mid-write
    journal.finish({})
    record = read_run(journal.path)
    assert record.finished and record.kind == "harden"
    assert [d.line for d in record.damaged] == [2]
