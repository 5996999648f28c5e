"""Every control: PASS on the compliant configuration, FAIL on the non-compliant one, UNKNOWN
where a value cannot be resolved (Terraform HCL)."""

from __future__ import annotations

import pytest

from dynaguard.iac_scan import IacResult
from tests.iac.conftest import status_of

T = "aws_dynamodb_table"
PASSING = [
    ("DDB.001", f"{T}.orders", None),
    ("DDB.002", f"{T}.orders", None),
    ("DDB.003", f"{T}.orders", None),
    ("DDB.004", f"{T}.orders", None),
    ("DDB.004", f"{T}.ledger", None),
    ("DDB.005", f"{T}.orders", None),
    ("DDB.005", f"{T}.ledger", None),
    ("DDB.006", f"{T}.orders", None),
    ("DDB.007", "aws_dax_cluster.cache", None),
    ("DDB.008", "aws_dax_cluster.cache", None),
    ("DDB.009", "aws_dax_cluster.cache", None),
    ("DDB.010", f"{T}.orders", "us-east-1"),
    ("DDB.011", f"{T}.orders", "us-east-1"),
    ("DDB.012", "aws_iam_policy.reader", None),
    ("DDB.013", f"{T}.orders", None),
    ("DDB.014", f"{T}.orders", None),
    ("DDB.015", "aws_vpc.main", None),
    ("DDB.016", "aws_kms_key.table", None),
    ("DDB.017", f"{T}.orders", None),
]
FAILING = [
    ("DDB.001", f"{T}.plain", None),
    ("DDB.001", f"{T}.managed_key", None),
    ("DDB.002", f"{T}.plain", None),
    ("DDB.002", f"{T}.managed_key", None),
    ("DDB.003", f"{T}.plain", None),
    ("DDB.004", f"{T}.plain", None),
    ("DDB.005", f"{T}.plain", None),
    ("DDB.006", f"{T}.plain", None),
    ("DDB.007", "aws_dax_cluster.cache", None),
    ("DDB.008", "aws_dax_cluster.cache", None),
    ("DDB.009", "aws_dax_cluster.cache", None),
    ("DDB.010", f"{T}.global", "us-west-2"),
    ("DDB.011", f"{T}.global", "us-west-2"),
    ("DDB.012", "aws_iam_role_policy.admin", None),
    ("DDB.013", f"{T}.plain", None),
    ("DDB.013", f"{T}.managed_key", None),
    ("DDB.014", f"{T}.plain", None),
    ("DDB.015", "aws_vpc.main", None),
    ("DDB.016", "aws_kms_key.no_rotation", None),
    ("DDB.017", f"{T}.plain", None),
]
UNDECIDED = [
    ("DDB.001", f"{T}.vague", None),
    ("DDB.002", f"{T}.vague", None),
    ("DDB.003", f"{T}.vague", None),
    ("DDB.004", f"{T}.vague", None),
    ("DDB.005", f"{T}.vague", None),
    ("DDB.006", f"{T}.vague", None),
    ("DDB.007", "aws_dax_cluster.vague", None),
    ("DDB.008", "aws_dax_cluster.vague", None),
    ("DDB.009", "aws_dax_cluster.vague", None),
    ("DDB.010", f"{T}.vague", "us-east-1"),
    ("DDB.011", f"{T}.vague", "us-east-1"),
    ("DDB.012", "aws_iam_policy.vague", None),
    ("DDB.013", f"{T}.vague", None),
    ("DDB.014", f"{T}.vague", None),
    ("DDB.015", "aws_vpc.main", None),
    ("DDB.016", "aws_kms_key.maybe_rotated", None),
    ("DDB.017", f"{T}.vague", None),
]


@pytest.mark.parametrize(("control", "resource", "region"), PASSING)
def test_compliant_configuration_passes(
    tf_pass: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(tf_pass, control, resource, region) == "PASS"


def test_compliant_configuration_has_no_fail_or_unknown(tf_pass: IacResult) -> None:
    bad = [
        (f.control_id, f.resource_id, f.reason)
        for f in tf_pass.report.findings
        if f.status.value in ("FAIL", "UNKNOWN")
    ]
    assert bad == []
    assert tf_pass.exit_code() == 0


@pytest.mark.parametrize(("control", "resource", "region"), FAILING)
def test_non_compliant_configuration_fails(
    tf_fail: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(tf_fail, control, resource, region) == "FAIL"


@pytest.mark.parametrize(("control", "resource", "region"), UNDECIDED)
def test_unresolved_values_are_unknown(
    tf_unknown: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(tf_unknown, control, resource, region) == "UNKNOWN"


def test_unknown_reasons_quote_the_expression(tf_unknown: IacResult) -> None:
    reasons = {
        f.control_id: f.reason
        for f in tf_unknown.report.findings
        if f.resource_id == "aws_dynamodb_table.vague" and f.status.value == "UNKNOWN"
    }
    assert "var.table_key_arn" in reasons["DDB.001"]
    assert "var.pitr_enabled" in reasons["DDB.002"]
    assert "var.billing" in reasons["DDB.004"]


def test_every_finding_points_at_file_and_line(tf_fail: IacResult) -> None:
    for f in tf_fail.report.findings:
        assert f.file and f.file.endswith("main.tf"), f
        assert f.line and f.line > 0, f
    plain = [f for f in tf_fail.report.findings if f.resource_id == "aws_dynamodb_table.plain"]
    assert {f.line for f in plain} == {16}
