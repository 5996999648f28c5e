"""--security-hub against the emulator: import, a later scan resolves what passes now and
archives what is gone; batches, throttled records and failures; the export policy."""

from __future__ import annotations

import json
from importlib import resources

import boto3

import dynaguard
from dynaguard.cli.main import run
from dynaguard.exports.security_hub import export_report
from dynaguard.selection import Selection
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession
from tests.formats.asff_rules import problems

SELECT = ["--region", "us-east-1", "--prefix", "sentinel-", "--controls", "DDB.002,DDB.003"]


def hub(fleet):
    return boto3.client("securityhub", endpoint_url=fleet.url, region_name="us-east-1")


def ours(fleet):
    """Every dynaguard finding in the emulator (its GetFindings ignores Filters)."""
    pages = hub(fleet).get_paginator("get_findings").paginate()
    found = [f for page in pages for f in page["Findings"]]
    return {f["Id"]: f for f in found if f["GeneratorId"].startswith("dynaguard/")}


def scan(fleet, *extra):
    return run(["scan", "--endpoint-url", fleet.url, *SELECT, "--no-history", *extra])


def test_import_then_resolve_and_archive(fleet, capsys):
    hub(fleet).enable_security_hub()
    assert scan(fleet, "--security-hub", "--format", "json") == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    first = ours(fleet)
    assert len(first) == len(report["findings"]) > 0
    assert "Security Hub (us-east-1):" in err and f"{len(first)} imported" in err
    assert all(problems(f) == [] for f in first.values())
    by_key = {(f["GeneratorId"], f["Resources"][0]["Id"].split("/")[-1]): f for f in first.values()}
    sessions = by_key[("dynaguard/DDB.002", "sentinel-sessions")]
    assert sessions["Compliance"]["Status"] == "FAILED"

    ddb = boto3.client("dynamodb", endpoint_url=fleet.url, region_name="us-east-1")
    ddb.update_continuous_backups(
        TableName="sentinel-sessions",
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True,
            "RecoveryPeriodInDays": 35,
        },
    )
    ddb.delete_table(TableName="sentinel-breakglass")  # no deletion protection: it goes
    scan(fleet, "--security-hub", "--format", "json")
    err = capsys.readouterr().err
    assert "1 resolved, 2 archived" in err
    second = ours(fleet)
    now = second[sessions["Id"]]
    assert now["Compliance"]["Status"] == "PASSED"
    assert now["Workflow"]["Status"] == "RESOLVED"
    assert now["CreatedAt"] == sessions["CreatedAt"]  # the same finding, updated
    gone = [f for f in second.values() if "sentinel-breakglass" in f["Resources"][0]["Id"]]
    assert len(gone) == 2 and all(f["RecordState"] == "ARCHIVED" for f in gone)
    active = [f for f in second.values() if f["RecordState"] == "ACTIVE"]
    assert len(active) == len(first) - 2

    scan(fleet, "--security-hub", "--format", "json")  # a third run changes nothing more
    assert "0 resolved, 0 archived" in capsys.readouterr().err


def test_export_policy_covers_every_call(fleet):
    hub(fleet).enable_security_hub()
    options = AwsOptions(
        regions=("us-east-1",),
        endpoint_url=fleet.url,
        selection=Selection.of(prefix="sentinel-", include=["iam"]),
    )
    report = dynaguard.scan(options, controls=["DDB.003", "DDB.012"])
    recorder = CallRecorder()
    session = AwsSession(options, "run", recorder)
    result = export_report(report, lambda r: session.client("securityhub", r), session.account_id())
    assert result.failed == [] and result.imported == len(report.findings)
    used = set(recorder.actions())
    text = resources.files("dynaguard.policies").joinpath("security-hub-export-policy.json")
    shipped = {a for st in json.loads(text.read_text())["Statement"] for a in st["Action"]}
    assert {"securityhub:BatchImportFindings", "securityhub:GetFindings"} <= used
    assert used <= shipped, sorted(used - shipped)
