"""Every control on Terraform plan JSON and on CloudFormation: PASS, FAIL and UNKNOWN fixtures."""

from __future__ import annotations

import pytest

from dynaguard.iac_scan import IacResult
from tests.iac.conftest import scan, status_of

T = "aws_dynamodb_table"
PLAN_PASSING = [
    ("DDB.001", f"{T}.orders", None),
    ("DDB.002", f"{T}.orders", None),
    ("DDB.003", f"{T}.orders", None),
    ("DDB.004", f"{T}.orders", None),
    ("DDB.005", f"{T}.orders", None),
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
PLAN_FAILING = [
    ("DDB.001", f"{T}.plain", None),
    ("DDB.001", f"{T}.managed_key", None),
    ("DDB.002", f"{T}.managed_key", None),
    ("DDB.003", f"{T}.plain", None),
    ("DDB.004", f"{T}.plain", None),
    ("DDB.005", f"{T}.global", None),
    ("DDB.006", f"{T}.plain", None),
    ("DDB.007", "aws_dax_cluster.cache", None),
    ("DDB.008", "aws_dax_cluster.cache", None),
    ("DDB.009", "aws_dax_cluster.cache", None),
    ("DDB.010", f"{T}.global", "us-west-2"),
    ("DDB.011", f"{T}.global", "us-west-2"),
    ("DDB.012", "aws_iam_role_policy.admin", None),
    ("DDB.013", f"{T}.managed_key", None),
    ("DDB.014", f"{T}.plain", None),
    ("DDB.015", "aws_vpc.main", None),
    ("DDB.016", "aws_kms_key.no_rotation", None),
    ("DDB.017", f"{T}.plain", None),
]
CFN_PASSING = [
    ("DDB.001", "Orders", None),
    ("DDB.002", "Orders", None),
    ("DDB.003", "Orders", None),
    ("DDB.004", "Orders", None),
    ("DDB.004", "Ledger", None),
    ("DDB.005", "Orders", None),
    ("DDB.005", "Ledger", None),
    ("DDB.006", "Orders", None),
    ("DDB.007", "Cache", None),
    ("DDB.008", "Cache", None),
    ("DDB.009", "Cache", None),
    ("DDB.012", "ReaderPolicy", None),
    ("DDB.013", "Orders", None),
    ("DDB.014", "Orders", None),
    ("DDB.015", "Vpc", None),
    ("DDB.016", "TableKey", None),
    ("DDB.017", "Orders", None),
]
CFN_FAILING = [
    ("DDB.001", "Plain", None),
    ("DDB.001", "ManagedKey", None),
    ("DDB.002", "Plain", None),
    ("DDB.002", "ManagedKey", None),
    ("DDB.003", "Plain", None),
    ("DDB.004", "Plain", None),
    ("DDB.005", "Plain", None),
    ("DDB.006", "Plain", None),
    ("DDB.007", "Cache", None),
    ("DDB.008", "Cache", None),
    ("DDB.009", "Cache", None),
    ("DDB.010", "Global", "us-west-2"),
    ("DDB.011", "Global", "us-east-1"),
    ("DDB.011", "Global", "us-west-2"),
    ("DDB.012", "Admin", None),
    ("DDB.013", "Plain", None),
    ("DDB.013", "ManagedKey", None),
    ("DDB.014", "Plain", None),
    ("DDB.015", "Vpc", None),
    ("DDB.016", "NoRotation", None),
    ("DDB.017", "Plain", None),
]
CFN_UNDECIDED = [
    ("DDB.001", "Vague", None),
    ("DDB.002", "Vague", None),
    ("DDB.003", "Vague", None),
    ("DDB.007", "Cache", None),
    ("DDB.008", "Cache", None),
    ("DDB.009", "Cache", None),
    ("DDB.012", "Vague2Policy", None),
    ("DDB.013", "Vague", None),
    ("DDB.014", "Vague", None),
]


@pytest.mark.parametrize(("control", "resource", "region"), PLAN_PASSING)
def test_plan_passes(plan_pass: IacResult, control: str, resource: str, region: str | None) -> None:
    assert status_of(plan_pass, control, resource, region) == "PASS"


@pytest.mark.parametrize(("control", "resource", "region"), PLAN_FAILING)
def test_plan_fails(plan_fail: IacResult, control: str, resource: str, region: str | None) -> None:
    assert status_of(plan_fail, control, resource, region) == "FAIL"


def test_plan_values_known_only_after_apply_are_unknown() -> None:
    result = scan("plan", "unknown.json")
    assert status_of(result, "DDB.001", f"{T}.later") == "UNKNOWN"
    assert status_of(result, "DDB.003", f"{T}.later") == "UNKNOWN"
    assert result.report.source == "plan"


@pytest.mark.parametrize(("control", "resource", "region"), CFN_PASSING)
def test_cloudformation_passes(
    cfn_pass: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(cfn_pass, control, resource, region) == "PASS"


def test_cloudformation_compliant_template_is_clean(cfn_pass: IacResult) -> None:
    assert [f for f in cfn_pass.report.findings if f.status.value in ("FAIL", "UNKNOWN")] == []


@pytest.mark.parametrize(("control", "resource", "region"), CFN_FAILING)
def test_cloudformation_fails(
    cfn_fail: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(cfn_fail, control, resource, region) == "FAIL"


@pytest.mark.parametrize(("control", "resource", "region"), CFN_UNDECIDED)
def test_cloudformation_unresolved_is_unknown(
    cfn_unknown: IacResult, control: str, resource: str, region: str | None
) -> None:
    assert status_of(cfn_unknown, control, resource, region) == "UNKNOWN"


def test_cloudformation_reasons_name_the_parameter(cfn_unknown: IacResult) -> None:
    reasons = {
        f.control_id: f.reason for f in cfn_unknown.report.findings if f.resource_id == "Vague"
    }
    assert "KeyArn" in reasons["DDB.001"]
    assert "Stage" in reasons["DDB.002"]


def test_cdk_output_is_scanned() -> None:
    result = scan("cloudformation", "cdk.out")
    assert status_of(result, "DDB.003", "OrdersTable1A2B3C4D") == "PASS"
    assert status_of(result, "DDB.001", "OrdersTable1A2B3C4D") == "FAIL"
    assert result.report.source == "cloudformation"


def test_cloudformation_global_table_region_disagreement_is_unknown(cfn_fail: IacResult) -> None:
    """Replicas differ, and the stack's own region is not known offline: the table-level
    verdict is UNKNOWN; each replica is still judged on its own."""
    assert status_of(cfn_fail, "DDB.002", "Global") == "UNKNOWN"
    assert status_of(cfn_fail, "DDB.011", "Global", "eu-west-1") == "PASS"
