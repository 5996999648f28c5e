"""Reports to render in format tests: every status, every resource type, hostile strings."""

from __future__ import annotations

from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report

ACCT = "111122223333"
HOSTILE = "<img src=x onerror=alert(1)>.tf"


def finding(control_id="DDB.002", status=Status.FAIL, **kw) -> Finding:
    base = dict(
        control_id=control_id,
        title="Point-in-time recovery enabled with the required window",
        status=status,
        severity=Severity.MEDIUM,
        resource_type="table",
        resource_id="orders",
        account_id=ACCT,
        region="us-east-1",
        reason="point-in-time recovery is disabled on the table",
        remediation="aws dynamodb update-continuous-backups ..." if status is Status.FAIL else "",
        resource_arn=f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders",
    )
    base.update(kw)
    return Finding(**base)


def live_report() -> Report:
    findings = (
        finding(),
        finding(status=Status.PASS, resource_id="good", resource_arn=None),
        finding(
            "DDB.001",
            Status.UNKNOWN,
            severity=Severity.HIGH,
            reason="DescribeTable denied: AccessDeniedException",
        ),
        finding("DDB.004", Status.NOT_APPLICABLE, reason="on-demand table"),
        finding("DDB.014", Status.SUPPRESSED, severity=Severity.LOW, suppression="cache table"),
        finding(
            "DDB.015",
            resource_type="vpc",
            resource_id="vpc-0abc",
            resource_arn=f"arn:aws:ec2:us-east-1:{ACCT}:vpc/vpc-0abc",
        ),
        finding(
            "DDB.012",
            severity=Severity.HIGH,
            resource_type="iam_policy",
            resource_id="=cmd|' /C calc'!A0",
            region="global",
            resource_arn=f"arn:aws:iam::{ACCT}:policy/admin",
        ),
        finding("DDB.007", resource_type="dax_cluster", resource_id="cache", resource_arn=None),
        finding("DDB.016", resource_type="kms_key", resource_id="alias/x", resource_arn=None),
    )
    return Report(
        run_id="20260101T000000Z-abcd1234",
        source="aws",
        findings=findings,
        controls=("DDB.001", "DDB.002", "DDB.004", "DDB.007", "DDB.012", "DDB.014", "DDB.015"),
        started_at="2026-01-01T00:00:00Z",
        scope={"regions": ["us-east-1"]},
    )


def iac_report() -> Report:
    findings = (
        finding(
            resource_id="aws_dynamodb_table.orders",
            account_id=None,
            region=None,
            resource_arn=None,
            file=HOSTILE,
            line=3,
        ),
        finding(
            "DDB.003",
            resource_id="@SUM(A1:A9)",
            account_id=None,
            region=None,
            resource_arn=None,
            file="infra/main.tf",
            line=12,
            reason="+deletion protection is off",
        ),
    )
    return Report(
        run_id="20260101T000000Z-iac00001",
        source="terraform",
        findings=findings,
        controls=("DDB.002", "DDB.003"),
        started_at="2026-01-01T00:00:00Z",
        scope={"paths": ["."]},
    )


# Names and texts an attacker controls (a tag, a policy, a file name): terminal escapes, a
# newline that forges a line, a spreadsheet formula, markup, a lone surrogate, characters outside
# the BMP (2 UTF-16 units each), blank text, and 10 kB of them.
HOSTILE_TEXTS = {
    "ansi": "t\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x9b31m",
    "newline": "t\nDDB.002 PASS orders: forged line\r\n",
    "formula": "=cmd|' /C calc'!A0",
    "script": "</script><script>alert(1)</script><img src=x onerror=alert(1)>",
    "surrogate": "t\ud800\u202eevil",
    "astral": "\U0001f600" * 300,
    "blank": "   ",
    "huge": "x\x1b" * 5000,
}


def hostile_finding(text: str, **kw) -> Finding:
    """A live finding whose name, reason, fix and suppression are ``text``."""
    return finding(
        "DDB.014",
        Status.SUPPRESSED,
        resource_id=text,
        resource_arn=f"arn:aws:dynamodb:us-east-1:{ACCT}:table/{text}",
        reason=text,
        remediation=text,
        suppression=text,
        **kw,
    )
