import datetime as dt

from dynaguard.config_load import parse_config
from dynaguard.controls import get_control
from dynaguard.engine import report_from_inventory
from dynaguard.evaluate import evaluate
from dynaguard.model import (
    Inventory,
    Known,
    Origin,
    Pitr,
    RegionScope,
    Severity,
    Status,
    Table,
    Unknown,
)

ACCT = "111122223333"


def scope(*tables, region="us-east-1"):
    return RegionScope(ACCT, region, tables=Known(tuple(tables)))


def table(name, pitr=Pitr(True, 35), **kw):
    return Table(
        name,
        ACCT,
        "us-east-1",
        arn=f"arn:aws:dynamodb:us-east-1:{ACCT}:table/{name}",
        pitr=Known(pitr) if not isinstance(pitr, Unknown) else pitr,
        **kw,
    )


PITR = [get_control("DDB.002")]


def test_verdicts_become_findings_with_identity():
    inv = Inventory("aws", (scope(table("ok"), table("bad", Pitr(False))),))
    findings, notices = evaluate(inv, PITR, parse_config({}))
    by_id = {f.resource_id: f for f in findings}
    assert by_id["ok"].status is Status.PASS
    assert by_id["bad"].status is Status.FAIL
    assert by_id["bad"].remediation  # a hint of the fix on every FAIL
    assert by_id["ok"].remediation == ""
    assert by_id["bad"].resource_arn.endswith("table/bad")
    assert by_id["bad"].account_id == ACCT and by_id["bad"].region == "us-east-1"
    assert notices == []


def test_failed_listing_is_one_unknown_finding_not_silence():
    inv = Inventory("aws", (RegionScope(ACCT, "eu-west-1", tables=Unknown("AccessDenied: no")),))
    (finding,) = evaluate(inv, PITR, parse_config({}))[0]
    assert finding.status is Status.UNKNOWN
    assert "AccessDenied" in finding.reason
    assert finding.resource_id == "*:eu-west-1"


def test_unknown_fact_is_unknown():
    inv = Inventory("aws", (scope(table("t", Unknown("ThrottlingException: slow down"))),))
    (finding,) = evaluate(inv, PITR, parse_config({}))[0]
    assert finding.status is Status.UNKNOWN
    assert "ThrottlingException" in finding.reason


def test_suppression_applies_until_it_expires():
    cfg = parse_config(
        {
            "suppressions": [
                {
                    "control": "DDB.002",
                    "resources": ["sentinel-*"],
                    "reason": "scratch tables",
                    "expires": "2027-01-01",
                }
            ]
        }
    )
    inv = Inventory("aws", (scope(table("sentinel-x", Pitr(False)), table("other", Pitr(False))),))
    findings, notices = evaluate(inv, PITR, cfg, today=dt.date(2026, 6, 1))
    by_id = {f.resource_id: f for f in findings}
    assert by_id["sentinel-x"].status is Status.SUPPRESSED
    assert "scratch tables" in by_id["sentinel-x"].suppression
    assert by_id["other"].status is Status.FAIL
    assert notices == []
    findings, notices = evaluate(inv, PITR, cfg, today=dt.date(2027, 1, 2))
    assert {f.status for f in findings} == {Status.FAIL}
    assert len(notices) == 1 and "expired on 2027-01-01" in notices[0]


def test_suppression_does_not_hide_pass_or_unknown():
    cfg = parse_config({"suppressions": [{"control": "*", "resources": ["*"], "reason": "r"}]})
    inv = Inventory("aws", (scope(table("a"), table("b", Unknown("denied"))),))
    statuses = {f.resource_id: f.status for f in evaluate(inv, PITR, cfg)[0]}
    assert statuses == {"a": Status.PASS, "b": Status.UNKNOWN}


def test_inline_suppression_from_code():
    t = table(
        "t",
        Pitr(False),
        origin=Origin(file="main.tf", line=3),
        suppressions=(("DDB.002", "restored from backups nightly"),),
    )
    (finding,) = evaluate(Inventory("terraform", (scope(t),)), PITR, parse_config({}))[0]
    assert finding.status is Status.SUPPRESSED
    assert finding.file == "main.tf" and finding.line == 3


def test_severity_override_and_exit_codes():
    cfg = parse_config({"controls": {"DDB.002": {"severity": "high"}}})
    inv = Inventory("aws", (scope(table("bad", Pitr(False))),))
    report = report_from_inventory(inv, PITR, cfg, "run")
    assert report.findings[0].severity is Severity.HIGH
    assert report.exit_code(Severity.HIGH) == 1
    assert report.exit_code(Severity.CRITICAL) == 0
    unknown_only = report_from_inventory(
        Inventory("aws", (scope(table("u", Unknown("denied"))),)), PITR, cfg, "run"
    )
    assert unknown_only.exit_code(Severity.LOW) == 3
    assert report.summary()["FAIL"] == 1


def test_duplicate_verdicts_for_the_same_resource_are_merged():
    t = table("t")
    inv = Inventory("aws", (scope(t), scope(t)))
    assert len(evaluate(inv, PITR, parse_config({}))[0]) == 1
