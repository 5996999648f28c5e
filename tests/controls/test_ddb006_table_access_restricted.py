"""DDB.006: resource and stream policies grant access only to trusted accounts."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.model import Known, PolicyDocument, Status, Unknown

from .builders import ACCOUNT, DENIED, OTHER_ACCOUNT, ctx, doc, one, status, table

ID = "DDB.006"
TRUSTED = "444455556666"
ORG = "o-trusted1"


def allow(principal: Any, condition: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    s = {"Effect": "Allow", "Principal": principal, "Action": "dynamodb:GetItem", "Resource": "*"}
    if condition is not None:
        s["Condition"] = condition
    return {**s, **kw}


def with_policy(*statements: dict[str, Any]) -> Any:
    return table(resource_policy=Known(doc(*statements)))


def judged(*statements: dict[str, Any]) -> Status:
    context = ctx(trusted_accounts=(TRUSTED,), trusted_org_ids=(ORG,))
    return status(ID, with_policy(*statements), context)


def test_no_resource_policy_passes() -> None:
    v = one(ID, table())
    assert v.status is Status.PASS
    assert "identity policies" in v.reason


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*", ACCOUNT]}])
def test_wildcard_principal_without_condition_fails(principal: Any) -> None:
    v = one(ID, with_policy(allow(principal)))
    assert v.status is Status.FAIL
    assert "any principal" in v.reason


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, TRUSTED]}},
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"StringEquals": {"aws:SourceVpce": "vpce-0aaa"}},  # the account's own endpoint
        {"StringLike": {"aws:PrincipalOrgID": ORG}},
        # AND-ed conditions: one trusted pin is enough.
        {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": OTHER_ACCOUNT}},
    ],
)
def test_wildcard_principal_pinned_to_trusted_values_passes(condition: dict[str, Any]) -> None:
    assert judged(allow("*", condition)) is Status.PASS


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-stranger"}},
        {"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}},
        {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, OTHER_ACCOUNT]}},
        {"StringLike": {"aws:PrincipalAccount": "*"}},
        {"StringLike": {"aws:SourceVpce": "vpce-*"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-0abc123"}},  # not the account's endpoint
        {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-stranger"}},
        {"Bool": {"aws:SecureTransport": "true"}},
    ],
)
def test_wildcard_principal_with_untrusted_or_weak_pin_fails(condition: dict[str, Any]) -> None:
    assert judged(allow("*", condition)) is Status.FAIL


def test_untrusted_pin_is_named_in_reason() -> None:
    v = one(ID, with_policy(allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-stranger"}})))
    assert "aws:PrincipalOrgID" in v.reason


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": ACCOUNT},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
        {"AWS": f"arn:aws:iam::{TRUSTED}:root"},
    ],
)
def test_own_or_trusted_account_passes(principal: Any) -> None:
    assert judged(allow(principal)) is Status.PASS


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": OTHER_ACCOUNT},
        {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/x"},
        {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{OTHER_ACCOUNT}:root"]},
    ],
)
def test_untrusted_account_fails(principal: Any) -> None:
    v = one(ID, with_policy(allow(principal)))
    assert v.status is Status.FAIL
    assert OTHER_ACCOUNT in v.reason


def test_allow_with_not_principal_is_everyone() -> None:
    s = allow(None)
    del s["Principal"]
    s["NotPrincipal"] = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    assert judged(s) is Status.FAIL


def test_deny_statements_are_not_grants() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
    assert judged(deny) is Status.PASS


def test_stream_policy_is_checked_too() -> None:
    t = table(stream_policy=Known(doc(allow("*"))))
    v = one(ID, t)
    assert v.status is Status.FAIL
    assert "stream policy" in v.reason


def test_policy_read_denied_is_unknown_with_reason() -> None:
    v = one(ID, table(resource_policy=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_stream_policy_unknown_is_unknown() -> None:
    assert status(ID, table(stream_policy=Unknown("throttled"))) is Status.UNKNOWN


def test_definite_grant_fails_even_if_the_other_policy_is_unknown() -> None:
    t = table(resource_policy=Known(doc(allow("*"))), stream_policy=DENIED)
    v = one(ID, t)
    assert v.status is Status.FAIL
    assert DENIED.reason in v.reason


def test_unrecognised_principal_is_unknown() -> None:
    assert judged(allow({"AWS": "AROAEXAMPLEUNIQUEID"})) is Status.UNKNOWN


def test_unparseable_document_is_unknown() -> None:
    broken = PolicyDocument((), raw="{", parse_error="Expecting property name")
    v = one(ID, table(resource_policy=Known(broken)))
    assert v.status is Status.UNKNOWN
    assert "Expecting property name" in v.reason


def test_unresolved_principal_is_unknown() -> None:
    assert judged(allow({"AWS": Unknown("var.reader_arn")})) is Status.UNKNOWN


def test_definite_grant_fails_despite_an_unresolved_statement() -> None:
    assert judged(allow({"AWS": Unknown("var.x")}), allow("*")) is Status.FAIL


def test_allow_without_principal_is_unknown() -> None:
    s = allow(None)
    del s["Principal"]
    assert judged(s) is Status.UNKNOWN
