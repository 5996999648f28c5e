"""scan with filters judges only what they select: the exit code of `scan --table X` depends on
X alone, other kinds come in only when asked for, and the library means the same."""

from __future__ import annotations

import json

import dynaguard
from dynaguard.cli.main import run
from dynaguard.emulator.fleet_spec import TRUSTED_ORG
from dynaguard.sources.aws.recorder import CallRecorder


def scan(fleet, capsys, *extra):
    code = run(
        ["scan", "--endpoint-url", fleet.url, "--region", "us-east-1", "--format", "json", *extra]
    )
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_one_compliant_table_exits_0_whatever_else_fails(fleet, capsys, tmp_path):
    # inventory passes every table control (its policy admits only the fleet's organisation);
    # its key does not rotate, and DAX clusters, IAM policies and VPCs of the account fail:
    # none of that is selected.
    config = tmp_path / "org.yaml"
    config.write_text(f"baseline:\n  trusted_org_ids: [{TRUSTED_ORG}]\n")
    code, findings = scan(fleet, capsys, "--table", "inventory", "--config", str(config))
    assert {f["resource_type"] for f in findings} == {"table"}
    assert {f["resource_id"] for f in findings} == {"inventory"}
    assert code == 0
    code, findings = scan(
        fleet, capsys, "--table", "inventory", "--include", "kms", "--config", str(config)
    )
    assert code == 1
    keys = [f for f in findings if f["resource_type"] == "kms_key"]
    assert [f["status"] for f in keys] == ["FAIL"]  # legacy-cmk, the key inventory uses


def test_replicas_are_in_scope_of_their_table(fleet, capsys):
    code, findings = scan(fleet, capsys, "--table", "orders")
    assert code == 1
    failing = {(f["control_id"], f["resource_type"]) for f in findings if f["status"] == "FAIL"}
    assert failing == {("DDB.010", "replica"), ("DDB.011", "replica")}


def test_dax_by_name_and_kinds_by_include(fleet, capsys):
    code, findings = scan(fleet, capsys, "--dax-cluster", "dax-stacked")
    assert {(f["resource_type"], f["resource_id"]) for f in findings} == {
        ("dax_cluster", "dax-stacked")
    }
    assert code == 1
    _, findings = scan(fleet, capsys, "--include", "iam,vpc")
    assert {f["resource_type"] for f in findings} == {"iam_policy", "vpc"}
    _, findings = scan(fleet, capsys, "--prefix", "sentinel-", "--all")
    kinds = {f["resource_type"] for f in findings}
    assert {"table", "dax_cluster", "iam_policy", "vpc", "kms_key"} <= kinds
    tables = {f["resource_id"] for f in findings if f["resource_type"] == "table"}
    assert tables == {"sentinel-approvals", "sentinel-breakglass", "sentinel-sessions"}


def test_a_filtered_scan_reads_nothing_it_does_not_judge(fleet):
    recorder = CallRecorder()
    dynaguard.scan(
        regions=("us-east-1",), endpoint_url=fleet.url, tables=("inventory",), recorder=recorder
    )
    services = {a.split(":")[0] for a in recorder.actions()}
    # (VPCs may be read: DDB.006 judges a table's policy conditions on its VPC endpoints)
    assert "dax" not in services and "iam" not in services


def test_selection_errors_are_one_line_exit_2(fleet, capsys):
    assert run(["scan", "--endpoint-url", fleet.url, "--region", "us-east-1",
                "--table", "orders", "--controls", "DDB.009"]) == 2  # fmt: skip
    assert "--dax-cluster NAME or --include dax" in capsys.readouterr().err
    assert run(["scan", "--endpoint-url", fleet.url, "--region", "us-east-1",
                "--dax-cluster", "no-such-cluster"]) == 2  # fmt: skip
    assert "DAX cluster(s) not found in us-east-1: no-such-cluster" in capsys.readouterr().err
    assert run(["scan", "--region", "us-east-1", "--include", "tablez"]) == 2
    assert "not a resource kind" in capsys.readouterr().err


def test_the_library_means_the_same(fleet):
    report = dynaguard.scan(
        regions=("us-east-1",), endpoint_url=fleet.url, dax_clusters=("dax-legacy",)
    )
    assert {f.resource_id for f in report.findings} == {"dax-legacy"}
    assert report.exit_code() == 1
