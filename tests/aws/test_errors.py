"""Every failed read becomes an Unknown with the AWS error code and message; nothing that
failed becomes a value and nothing is dropped."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from dynaguard.errors import AuditError
from dynaguard.model import Known, Unknown
from dynaguard.selection import Selection
from dynaguard.sources.aws import AwsOptions, collect
from tests.aws.conftest import Hooks, create_table

TABLE_FACTS = frozenset({"table.describe", "table.pitr", "table.ttl", "table.tags"})


@pytest.fixture
def tables(aws: Any) -> Any:
    ddb = aws("dynamodb")
    for name in ("alpha", "beta", "gone"):
        create_table(ddb, name)
    return aws


def by_name(inventory: Any) -> dict[str, Any]:
    return {t.name: t for t in inventory.tables()}


def body_names(table: str) -> Any:
    return lambda request: f'"TableName": "{table}"'.encode() in (request.body or b"")


def test_access_denied_on_one_read_is_unknown_with_code_message_and_origin(
    tables: Any, hooks: Hooks
) -> None:
    message = "User: arn:aws:sts::123456789012:assumed-role/audit/x is not authorized"
    hooks.fail(
        "dynamodb",
        "DescribeContinuousBackups",
        "AccessDeniedException",
        message,
        when=body_names("beta"),
    )
    found = by_name(collect(AwsOptions(), TABLE_FACTS, run_id="t", recorder=hooks))
    pitr = found["beta"].pitr
    assert isinstance(pitr, Unknown)
    assert pitr.reason == (
        f"dynamodb:DescribeContinuousBackups failed: AccessDeniedException: {message}"
    )
    assert pitr.origin is not None
    assert (pitr.origin.region, pitr.origin.api) == (
        "us-east-1",
        "dynamodb:DescribeContinuousBackups",
    )
    assert isinstance(found["alpha"].pitr, Known)  # the others are still read
    assert isinstance(found["beta"].ttl, Known) and isinstance(found["beta"].encryption, Known)


def test_failed_listing_makes_the_region_tables_unknown(tables: Any, hooks: Hooks) -> None:
    hooks.fail("dynamodb", "ListTables", "AccessDeniedException", "no list")
    facts = TABLE_FACTS | {"region.vpcs"}
    scope = collect(AwsOptions(), facts, run_id="t", recorder=hooks).regions[0]
    assert isinstance(scope.tables, Unknown)
    assert "AccessDeniedException: no list" in scope.tables.reason
    assert scope.tables.origin is not None and scope.tables.origin.api == "dynamodb:ListTables"
    assert isinstance(scope.vpcs, Known)  # other reads of the region are unaffected
    assert hooks.count("dynamodb:DescribeTable") == 0


def test_table_deleted_mid_scan_is_kept_with_unknown_facts(tables: Any, hooks: Hooks) -> None:
    for op in ("DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"):
        hooks.fail(
            "dynamodb",
            op,
            "ResourceNotFoundException",
            "Requested resource not found",
            when=body_names("gone"),
        )
    gone = by_name(collect(AwsOptions(), TABLE_FACTS, run_id="t", recorder=hooks))["gone"]
    for fact in (gone.encryption, gone.status, gone.pitr, gone.ttl):
        assert isinstance(fact, Unknown)
        assert "ResourceNotFoundException: Requested resource not found" in fact.reason


def test_transient_throttling_is_retried_into_a_value(
    tables: Any, hooks: Hooks, no_backoff: None
) -> None:
    injected = hooks.fail(
        "dynamodb",
        "DescribeTimeToLive",
        "ThrottlingException",
        "slow down",
        times=2,
        when=body_names("alpha"),
    )
    options = AwsOptions(max_attempts=3, selection=Selection(tables=("alpha",)))
    alpha = by_name(collect(options, TABLE_FACTS, run_id="t", recorder=hooks))["alpha"]
    assert isinstance(alpha.ttl, Known)
    assert injected == [2]
    sent = {c.operation: n for c, n in hooks.attempts().items()}
    assert sent["DescribeTimeToLive"] == 3
    assert hooks.count("dynamodb:DescribeTimeToLive") == 1  # one operation, three attempts


def test_persistent_throttling_becomes_unknown_after_the_retries(
    tables: Any, hooks: Hooks, no_backoff: None
) -> None:
    hooks.fail("dynamodb", "DescribeTimeToLive", "ThrottlingException", "Rate exceeded")
    options = AwsOptions(max_attempts=4, selection=Selection(tables=("alpha",)))
    alpha = by_name(collect(options, TABLE_FACTS, run_id="t", recorder=hooks))["alpha"]
    assert isinstance(alpha.ttl, Unknown)
    assert "ThrottlingException: Rate exceeded" in alpha.ttl.reason
    sent = {c.operation: n for c, n in hooks.attempts().items()}
    assert sent["DescribeTimeToLive"] == 4


def test_server_errors_after_retries_are_unknown(
    tables: Any, hooks: Hooks, no_backoff: None
) -> None:
    hooks.fail("dynamodb", "ListTagsOfResource", "InternalServerError", "boom", status=500)
    found = by_name(collect(AwsOptions(max_attempts=2), TABLE_FACTS, run_id="t", recorder=hooks))
    assert all(isinstance(t.tags, Unknown) for t in found.values())
    assert "InternalServerError: boom" in found["alpha"].tags.reason


@pytest.mark.parametrize(
    ("service", "operation", "code", "field"),
    [
        ("ec2", "DescribeVpcs", "UnauthorizedOperation", "vpcs"),
        ("dax", "DescribeClusters", "AccessDeniedException", "dax_clusters"),
        ("application-autoscaling", "DescribeScalingPolicies", "AccessDeniedException", "scaling"),
        ("backup", "ListBackupPlans", "AccessDeniedException", "backup_selections"),
    ],
)
def test_region_wide_denials_are_unknown(
    aws: Any, hooks: Hooks, service: str, operation: str, code: str, field: str
) -> None:
    create_table(aws("dynamodb"), "t")  # scaling and backup are read where tables are
    hooks.fail(service, operation, code, "denied here")
    facts = frozenset({"region.vpcs", "region.dax", "region.scaling", "region.backup"})
    scope = collect(AwsOptions(), facts, run_id="t", recorder=hooks).regions[0]
    fact = getattr(scope, field)
    assert isinstance(fact, Unknown)
    assert fact.reason == f"{service}:{operation} failed: {code}: denied here"
    others = {"vpcs", "dax_clusters", "scaling", "backup_selections", "vpc_endpoints"} - {field}
    assert all(isinstance(getattr(scope, f), Known) for f in others)


def test_iam_denied_is_unknown(aws: Any, hooks: Hooks) -> None:
    hooks.fail("iam", "GetAccountAuthorizationDetails", "AccessDenied", "no iam", status=403)
    account = collect(AwsOptions(), frozenset({"account.iam"}), run_id="t", recorder=hooks)
    policies = account.accounts[0].iam_policies
    assert isinstance(policies, Unknown)
    assert "AccessDenied: no iam" in policies.reason


def test_kms_key_denied_is_unknown_for_that_key(aws: Any, hooks: Hooks) -> None:
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    create_table(
        aws("dynamodb"),
        "t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )
    hooks.fail("kms", "DescribeKey", "AccessDeniedException", "key policy says no")
    scope = collect(AwsOptions(), frozenset({"kms.rotation"}), run_id="t", recorder=hooks)
    described = scope.regions[0].kms_keys[key]
    assert isinstance(described, Unknown) and "key policy says no" in described.reason


def test_no_identity_is_an_audit_error(aws: Any, hooks: Hooks) -> None:
    hooks.fail(
        "sts", "GetCallerIdentity", "InvalidClientTokenId", "The security token is bad", status=403
    )
    with pytest.raises(AuditError, match="InvalidClientTokenId: The security token is bad"):
        collect(AwsOptions(), TABLE_FACTS, run_id="t", recorder=hooks)


def test_failure_logs_carry_no_secret(
    tables: Any, hooks: Hooks, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    hooks.fail("dynamodb", "DescribeTable", "AccessDeniedException", "no")
    with caplog.at_level(logging.DEBUG, logger="dynaguard"):
        collect(
            AwsOptions(role_arn="arn:aws:iam::123456789012:role/audit"),
            TABLE_FACTS,
            run_id="t",
            recorder=hooks,
        )
    assert "DescribeTable" in caplog.text  # failures are logged ...
    assert secret not in caplog.text  # ... without credentials


def test_resource_policy_denied_is_unknown_never_no_policy(tables: Any, hooks: Hooks) -> None:
    hooks.fail("dynamodb", "GetResourcePolicy", "AccessDeniedException", "no policy read")
    facts = frozenset({"table.resource_policy"})
    alpha = by_name(collect(AwsOptions(), facts, run_id="t", recorder=hooks))["alpha"]
    assert isinstance(alpha.resource_policy, Unknown)
    assert "AccessDeniedException: no policy read" in alpha.resource_policy.reason
    assert isinstance(alpha.stream_policy, Known)  # no stream: nothing to read


def test_stream_policy_is_unknown_when_the_table_could_not_be_described(
    tables: Any, hooks: Hooks
) -> None:
    hooks.fail("dynamodb", "DescribeTable", "AccessDeniedException", "no describe")
    facts = frozenset({"table.resource_policy"})
    alpha = by_name(collect(AwsOptions(), facts, run_id="t", recorder=hooks))["alpha"]
    assert isinstance(alpha.resource_policy, Known)  # read with the ARN built locally
    assert isinstance(alpha.stream_policy, Unknown)  # is there a stream? we cannot tell
    assert "no describe" in alpha.stream_policy.reason


def test_an_html_error_page_is_summarised_not_embedded() -> None:
    from dynaguard.sources.aws.failures import plain_message

    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>x</body></html>"
    text = plain_message(page, 502, "502")
    assert (
        text
        == "the endpoint answered with an HTML page, not an AWS error (HTTP 502: 502 Bad Gateway)"
    )
    assert plain_message("<html><body>oops</body></html>", 500).endswith("(HTTP 500)")
    assert plain_message("User is not authorized", 400, "AccessDenied") == "User is not authorized"
    assert plain_message("  ", 400) == "(no message)"
    assert plain_message("value must be < 10 and > 1", 400) == "value must be < 10 and > 1"
