"""The readers outside a RegionReader on malformed bodies, through moto and botocore's own
parsing: an error naming the action and the key (exit 3 at the CLI), never a traceback; a
member's credentials that come back malformed at a refresh make its reads UNKNOWN."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.emulator.patches import apply_patches
from dynaguard.errors import AuditError
from dynaguard.model import Unknown
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.member import REFRESH_MARGIN_S, MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.regions import enabled_regions
from dynaguard.sources.aws.session import AwsSession
from tests.aws.conftest import REGION, Hooks

MEMBER = "210987654321"
ROLE = f"arn:aws:iam::{MEMBER}:role/dynaguard-audit"


def _drop(*path: str) -> Any:
    """An edit of a parsed response that deletes the key at ``path``."""

    def edit(parsed: dict[str, Any]) -> None:
        node = parsed
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


def test_an_identity_without_account_is_one_audit_error(aws: Any, hooks: Hooks) -> None:
    hooks.rewrite("sts", "GetCallerIdentity", _drop("Account"))
    session = AwsSession(AwsOptions(), "t", hooks)
    with pytest.raises(AuditError) as err:
        session.account_id()
    message = str(err.value)
    assert "\n" not in message
    assert "sts:GetCallerIdentity failed: MalformedResponse: Account: expected a string" in message


def test_role_credentials_without_expiration_are_one_audit_error(aws: Any, hooks: Hooks) -> None:
    hooks.rewrite("sts", "AssumeRole", _drop("Credentials", "Expiration"))
    with pytest.raises(AuditError, match=r"cannot assume role .*Credentials\.Expiration"):
        AwsSession(AwsOptions(role_arn=ROLE), "t", hooks)
    with pytest.raises(AuditError, match=r"cannot assume role .*Credentials\.Expiration"):
        MemberSession(AwsSession(AwsOptions(), "t", hooks), MEMBER, ROLE)


def test_malformed_credentials_at_a_refresh_make_the_members_reads_unknown(
    aws: Any, hooks: Hooks
) -> None:
    now = [0.0]
    broken = [False]

    def edit(parsed: dict[str, Any]) -> None:
        if broken[0]:
            del parsed["Credentials"]["SecretAccessKey"]

    hooks.rewrite("sts", "AssumeRole", edit)
    member = MemberSession(AwsSession(AwsOptions(), "t", hooks), MEMBER, ROLE, lambda: now[0])
    reader = RegionReader(member, BreakerBoard(), MEMBER, REGION)
    expires = member._credentials.expires_at  # type: ignore[union-attr]
    broken[0], now[0] = True, expires - REFRESH_MARGIN_S + 1
    fact = reader.fact(lambda: reader.read("dynamodb", "ListTables"), "dynamodb", "ListTables")
    assert isinstance(fact, Unknown)
    assert "sts:AssumeRole failed: MalformedResponse: Credentials.SecretAccessKey" in fact.reason


def test_both_region_lists_malformed_is_one_error_naming_both(aws: Any, hooks: Hooks) -> None:
    apply_patches()
    hooks.rewrite("account", "ListRegions", _drop("Regions"))
    hooks.rewrite("ec2", "DescribeRegions", _drop("Regions"))
    with pytest.raises(AuditError) as err:
        enabled_regions(AwsSession(AwsOptions(), "t", hooks))
    message = str(err.value)
    assert "\n" not in message
    assert "account:ListRegions failed: MalformedResponse: Regions: expected a list" in message
    assert "ec2:DescribeRegions failed: MalformedResponse: Regions: expected a list" in message


def test_one_region_list_malformed_falls_back_to_the_other(aws: Any, hooks: Hooks) -> None:
    apply_patches()
    hooks.rewrite("account", "ListRegions", _drop("Regions"))
    regions = enabled_regions(AwsSession(AwsOptions(), "t", hooks))
    expected = {r["RegionName"] for r in aws("ec2").describe_regions()["Regions"]}
    assert set(regions) == expected and REGION in regions
