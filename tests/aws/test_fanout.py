"""The pieces of a multi-account scan: the round-robin scheduler, per-(account, region) pacing,
member-account sessions (assume, session name, external id, refresh before expiry), and the
account selection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from dynaguard.errors import AuditError, UsageError
from dynaguard.sources.aws.member import REFRESH_MARGIN_S, MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org import AccountSelection, resolve_targets
from dynaguard.sources.aws.pacing import TokenBucket
from dynaguard.sources.aws.scheduler import Scheduler
from dynaguard.sources.aws.session import AwsSession
from tests.aws.conftest import KEY_SCHEMA, Hooks

MEMBER = "210987654321"
ROLE = f"arn:aws:iam::{MEMBER}:role/dynaguard-audit"


def test_scheduler_deals_reads_round_robin_across_groups() -> None:
    order: list[str] = []
    gate = threading.Lock()

    def read(name: str) -> str:
        with gate:
            order.append(name)
        return name

    idle: list[str] = []
    with ThreadPoolExecutor(1) as pool:
        scheduler = Scheduler(pool, concurrency=1)
        a = scheduler.group("a", lambda: idle.append("a"))
        b = scheduler.group("b", lambda: idle.append("b"))
        for i in range(3):
            a.submit(lambda i=i: read(f"a{i}"), lambda _: None)
        for i in range(2):
            b.submit(lambda i=i: read(f"b{i}"), lambda _: None)
        scheduler.run()
    assert order == ["a0", "b0", "a1", "b1", "a2"]
    assert sorted(idle) == ["a", "b"]  # each group called back once its work was done


def test_an_idle_group_can_start_its_next_phase() -> None:
    phases: list[int] = []
    with ThreadPoolExecutor(2) as pool:
        scheduler = Scheduler(pool)

        def second_phase() -> None:
            phases.append(2)

        def first_phase() -> None:
            phases.append(1)
            view = scheduler.group("x", second_phase)
            view.submit(lambda: 1, lambda _: phases.append(15))

        scheduler.group("x", first_phase)  # nothing submitted: idle at the first step
        scheduler.run()
    assert phases == [1, 15, 2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_allows_a_burst_then_paces() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4, clock=clock.time, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(8)]
    assert waits[:4] == [0, 0, 0, 0]  # one second's worth at once
    assert waits[4:] == pytest.approx([0.25, 0.25, 0.25, 0.25])  # then 4 a second
    assert clock.now == pytest.approx(101.0)


def test_rate_limit_paces_every_request_of_an_account_region(aws: Any, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr("dynaguard.sources.aws.pacing.time.monotonic", clock.time)
    monkeypatch.setattr("dynaguard.sources.aws.pacing.time.sleep", clock.sleep)
    session = AwsSession(AwsOptions(rate_limit=2), "t")
    ddb = session.client("dynamodb", "us-east-1")
    for _ in range(6):
        ddb.list_tables()
    session.client("dynamodb", "eu-west-1").list_tables()  # its own bucket: no wait
    assert sum(clock.slept) == pytest.approx(2.0)  # 2 at once, then 4 more at 2 a second


def assume_params(hooks: Hooks) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    hooks.on("sts", "before-call.sts.AssumeRole", lambda params, **_: seen.append(params))
    return seen


def test_member_session_assumes_the_role_with_a_dynaguard_session_name(aws, hooks) -> None:
    seen = assume_params(hooks)
    base = AwsSession(AwsOptions(role_name="dynaguard-audit", external_id="ext-1"), "run-1", hooks)
    member = MemberSession(base, MEMBER, ROLE)
    assert member.account_id() == MEMBER
    aws("dynamodb")  # the caller's account is not the member's
    member.client("dynamodb", "us-east-1").create_table(
        TableName="in-member",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert aws("dynamodb").list_tables()["TableNames"] == []
    body = seen[0]["body"]
    assert body["RoleSessionName"] == "dynaguard-run-1"
    assert body["ExternalId"] == "ext-1"
    assert body["RoleArn"] == ROLE


def test_a_member_sessions_view_with_other_options_stays_in_the_member(aws) -> None:
    """collect() (harden's planner and its re-reads) takes a view of the session: in a member
    account that view must still act with the member's credentials, never the caller's."""
    base = AwsSession(AwsOptions(role_name="dynaguard-audit"), "run-1")
    member = MemberSession(base, MEMBER, ROLE)
    view = member.with_options(AwsOptions(regions=("eu-west-1",)))
    assert isinstance(view, MemberSession) and view.account_id() == MEMBER
    view.client("dynamodb", "eu-west-1").create_table(
        TableName="in-member", BillingMode="PAY_PER_REQUEST", **KEY_SCHEMA
    )
    assert aws("dynamodb", "eu-west-1").list_tables()["TableNames"] == []
    assert member.client("dynamodb", "eu-west-1").list_tables()["TableNames"] == ["in-member"]


def test_member_credentials_are_refreshed_before_they_expire(aws, hooks) -> None:
    base = AwsSession(AwsOptions(role_name="dynaguard-audit"), "run-1", hooks)
    now = [0.0]
    member = MemberSession(base, MEMBER, ROLE, clock=lambda: now[0])
    expires = member._credentials.expires_at  # type: ignore[union-attr]
    now[0] = expires - REFRESH_MARGIN_S - 60
    first = member.client("dynamodb", "us-east-1")
    assert member.client("dynamodb", "us-east-1") is first and member.assumed == 1
    now[0] = expires - REFRESH_MARGIN_S + 1  # inside the margin: assume again, new clients
    second = member.client("dynamodb", "us-east-1")
    assert member.assumed == 2 and second is not first
    second.list_tables()  # the refreshed credentials work


def test_a_role_that_cannot_be_assumed_is_an_audit_error(aws, hooks) -> None:
    hooks.fail("sts", "AssumeRole", "AccessDenied", "not authorized", status=403)
    base = AwsSession(AwsOptions(role_name="dynaguard-audit"), "t", hooks)
    with pytest.raises(AuditError, match=r"cannot assume role .*AccessDenied"):
        MemberSession(base, MEMBER, ROLE)


def test_a_failed_refresh_is_a_read_error_not_a_crash(aws, hooks) -> None:
    from dynaguard.sources.aws.failures import ReadError

    revoked = [False]
    hooks.fail("sts", "AssumeRole", "AccessDenied", "revoked", 403, when=lambda _: revoked[0])
    base = AwsSession(AwsOptions(role_name="dynaguard-audit"), "t", hooks)
    now = [0.0]
    member = MemberSession(base, MEMBER, ROLE, clock=lambda: now[0])
    revoked[0] = True
    now[0] = 10**10
    with pytest.raises(ReadError, match="sts:AssumeRole"):
        member.client("dynamodb", "us-east-1")


def test_targets_use_the_callers_credentials_for_its_own_account(aws) -> None:
    base = AwsSession(AwsOptions(), "t")
    caller = base.account_id()
    selection = AccountSelection(accounts=(MEMBER, caller), role_name="audit")
    targets = resolve_targets(base, selection)
    assert [(t.account_id, t.role_arn) for t in targets] == sorted(
        [(caller, None), (MEMBER, ROLE.replace("dynaguard-audit", "audit"))]
    )
    with pytest.raises(UsageError, match="--role-name is required"):
        resolve_targets(base, AccountSelection(accounts=(MEMBER,)))
    with pytest.raises(UsageError, match="no account left"):
        resolve_targets(base, AccountSelection(accounts=(MEMBER,), exclude=(MEMBER,)))


def test_org_listing_keeps_active_accounts_only(aws, hooks) -> None:
    org = aws("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [
        org.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")["CreateAccountStatus"][
            "AccountId"
        ]
        for i in range(3)
    ]

    def suspend(parsed: dict[str, Any]) -> None:
        for account in parsed["Accounts"]:
            if account["Id"] == ids[1]:
                account["Status"] = "SUSPENDED"
                account["State"] = "SUSPENDED"

    hooks.rewrite("organizations", "ListAccounts", suspend)
    base = AwsSession(AwsOptions(), "t", hooks)
    targets = resolve_targets(base, AccountSelection(org=True, role_name="audit"))
    assert ids[1] not in {t.account_id for t in targets}
    assert {ids[0], ids[2]} <= {t.account_id for t in targets}


def test_organizations_not_in_use_is_an_audit_error(aws, hooks) -> None:
    hooks.fail("organizations", "ListAccounts", "AWSOrganizationsNotInUseException")
    base = AwsSession(AwsOptions(), "t", hooks)
    with pytest.raises(AuditError, match="cannot list the organization's accounts"):
        resolve_targets(base, AccountSelection(org=True, role_name="audit"))


def test_an_unknown_ou_is_a_usage_error(aws, hooks) -> None:
    hooks.fail("organizations", "ListAccountsForParent", "ParentNotFoundException", "no parent")
    base = AwsSession(AwsOptions(), "t", hooks)
    selection = AccountSelection(org=True, ous=("ou-abcd-12345678",), role_name="audit")
    with pytest.raises(UsageError, match="--ou: no parent"):
        resolve_targets(base, selection)
