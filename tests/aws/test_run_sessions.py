"""RunSessions: the credentials undo and the read-back of pending changes act with, per run's
account: the caller's own for its account (and for journals that name none), the role the
journal records or ``--role-name`` for the others, a usage error when no role is known, and
one assumed session per account."""

from __future__ import annotations

import pytest

from dynaguard.errors import AuditError, UsageError
from dynaguard.remediation.journal import RunRecord
from dynaguard.remediation.run_sessions import RunSessions
from dynaguard.sources.aws.member import MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.session import AwsSession
from tests.aws.conftest import ACCOUNT, Hooks

MEMBER = "210987654321"
JOURNALED = f"arn:aws:iam::{MEMBER}:role/dynaguard-harden"


def record(account: str | None = None, role: str | None = None) -> RunRecord:
    meta = {k: v for k, v in (("account_id", account), ("role_arn", role)) if v}
    return RunRecord("run-a", "harden", "2026-12-02T08:00:00+00:00", True, meta, ())


def sessions(role_name: str | None = None, hooks: Hooks | None = None) -> RunSessions:
    return RunSessions(AwsSession(AwsOptions(regions=("us-east-1",)), "undo-1", hooks), role_name)


def test_the_callers_own_runs_use_its_credentials(aws) -> None:
    runs = sessions()
    for own in (record(), record(ACCOUNT)):
        assert runs.account_of(own) == ACCOUNT
        assert runs.role_of(own) is None
        assert runs.session(own) is runs.base


def test_another_accounts_run_assumes_the_journaled_role_once(aws, hooks) -> None:
    asked: list[str] = []
    hooks.on(
        "sts",
        "before-parameter-build.sts.AssumeRole",
        lambda params, **_: asked.append(params["RoleArn"]),
    )
    runs = sessions(hooks=hooks)
    theirs = record(MEMBER, JOURNALED)
    first = runs.session(theirs)
    assert isinstance(first, MemberSession) and first.account_id() == MEMBER
    assert runs.session(theirs) is first  # one session per account
    assert asked == [JOURNALED]


def test_role_name_overrides_the_journal_and_no_role_is_a_usage_error(aws) -> None:
    assert sessions("other-role").role_of(record(MEMBER, JOURNALED)) == (
        f"arn:aws:iam::{MEMBER}:role/other-role"
    )
    with pytest.raises(UsageError, match="give --role-name"):
        sessions().session(record(MEMBER))


def test_a_role_that_cannot_be_assumed_is_an_audit_error(aws, hooks) -> None:
    hooks.fail("sts", "AssumeRole", "AccessDenied")
    with pytest.raises(AuditError, match=r"cannot assume role .*AccessDenied"):
        sessions(hooks=hooks).session(record(MEMBER, JOURNALED))
