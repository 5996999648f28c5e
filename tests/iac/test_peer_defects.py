"""We do not share the peers' known defects (DESIGN.md)."""

from __future__ import annotations

from dynaguard.iac_scan import IacResult
from tests.iac.conftest import findings, scan, status_of

T = "aws_dynamodb_table"


def test_aws_managed_key_is_not_accepted_as_cmk(
    tf_fail: IacResult, plan_fail: IacResult, cfn_fail: IacResult
) -> None:
    # enabled without a key, the AWS managed alias, data.aws_kms_alias of aws/dynamodb
    assert status_of(tf_fail, "DDB.001", f"{T}.managed_key") == "FAIL"
    assert "AWS managed key" in findings(tf_fail, "DDB.001", f"{T}.managed_key")[0].reason
    assert status_of(plan_fail, "DDB.001", f"{T}.managed_key") == "FAIL"
    assert status_of(cfn_fail, "DDB.001", "ManagedKey") == "FAIL"
    assert status_of(cfn_fail, "DDB.010", "Global", "us-west-2") == "FAIL"


def test_data_source_of_the_aws_managed_alias_is_the_aws_managed_key() -> None:
    result = scan("terraform", "values")
    assert status_of(result, "DDB.001", f"{T}.via_data_alias") == "FAIL"


def test_every_replica_is_judged_not_only_the_first(
    tf_fail: IacResult, plan_fail: IacResult
) -> None:
    for result in (tf_fail, plan_fail):
        assert status_of(result, "DDB.010", f"{T}.global", "us-east-1") == "PASS"
        assert status_of(result, "DDB.010", f"{T}.global", "us-west-2") == "FAIL"
        assert status_of(result, "DDB.011", f"{T}.global", "us-east-1") == "PASS"
        assert status_of(result, "DDB.011", f"{T}.global", "us-west-2") == "FAIL"


def test_global_table_pitr_does_not_always_pass(cfn_fail: IacResult, tf_fail: IacResult) -> None:
    replica_pitr = [
        f.status.value
        for f in cfn_fail.report.findings
        if f.control_id == "DDB.011" and f.resource_id == "Global"
    ]
    assert sorted(replica_pitr) == ["FAIL", "FAIL", "PASS"]
    assert "FAIL" in [f.status.value for f in findings(tf_fail, "DDB.011", f"{T}.global")]


def test_tag_based_backup_selection_counts(
    tf_pass: IacResult, tf_fail: IacResult, cfn_pass: IacResult, plan_pass: IacResult
) -> None:
    # covered only through the selection's tag condition (no resource ARNs at all)
    assert status_of(tf_pass, "DDB.005", f"{T}.orders") == "PASS"
    assert "by-tag" in findings(tf_pass, "DDB.005", f"{T}.orders")[0].reason
    assert status_of(cfn_pass, "DDB.005", "Orders") == "PASS"
    assert status_of(plan_pass, "DDB.005", f"{T}.orders") == "PASS"
    # tagged backup=weekly: the backup=daily selection does not cover it
    assert status_of(tf_fail, "DDB.005", f"{T}.global") == "FAIL"


def test_multi_az_counts_zones_not_nodes(tf_fail: IacResult) -> None:
    found = findings(tf_fail, "DDB.009", "aws_dax_cluster.cache")[0]
    assert found.status.value == "FAIL"
    assert "1 Availability Zone" in found.reason
