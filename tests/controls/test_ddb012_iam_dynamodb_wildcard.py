"""DDB.012: identity policies granting dynamodb:* (or *) on every table."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.model import PolicyDocument, Status, Unknown

from .builders import ACCOUNT, iam_policy, one, status

ID = "DDB.012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"


def allow(action: Any = "dynamodb:*", resource: Any = "*", **kw: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource, **kw}
    return {k: v for k, v in s.items() if v is not None}


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("dynamodb:*", "*"),
        ("*", "*"),
        ("*:*", "*"),
        ("DynamoDB:*", "*"),
        (["dynamodb:GetItem", "dynamo*"], "*"),
        ("dynamodb:*", "arn:aws:dynamodb:*:*:table/*"),
        ("dynamodb:*", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/*"),
        ("dynamodb:*", ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:*"]),
    ],
)
def test_wildcard_grant_fails(action: Any, resource: Any) -> None:
    v = one(ID, iam_policy(allow(action, resource)))
    assert v.status is Status.FAIL
    assert ROLE in v.reason


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("dynamodb:*", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"),
        ("dynamodb:*", "arn:aws:dynamodb:*:*:table/orders*"),
        (["dynamodb:GetItem", "dynamodb:Query"], "*"),
        ("dynamodb:Get*", "*"),
        ("s3:*", "*"),
    ],
)
def test_scoped_grant_passes(action: Any, resource: Any) -> None:
    assert status(ID, iam_policy(allow(action, resource))) is Status.PASS


def test_not_action_that_keeps_dynamodb_fails() -> None:
    v = one(ID, iam_policy(allow(None, NotAction=["iam:*", "organizations:*"])))
    assert v.status is Status.FAIL
    assert "NotAction" in v.reason


def test_not_action_excluding_one_dynamodb_action_still_fails() -> None:
    assert status(ID, iam_policy(allow(None, NotAction="dynamodb:DeleteTable"))) is Status.FAIL


def test_not_action_excluding_dynamodb_passes() -> None:
    assert status(ID, iam_policy(allow(None, NotAction=["dynamodb:*", "iam:*"]))) is Status.PASS


def test_not_resource_that_leaves_tables_fails() -> None:
    s = allow(resource=None, NotResource="arn:aws:dynamodb:*:*:table/secrets")
    assert status(ID, iam_policy(s)) is Status.FAIL


def test_deny_is_not_a_grant() -> None:
    assert status(ID, iam_policy({"Effect": "Deny", "Action": "*", "Resource": "*"})) is (
        Status.PASS
    )


def test_condition_does_not_excuse_a_wildcard() -> None:
    s = allow(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert status(ID, iam_policy(s)) is Status.FAIL


def test_only_offending_statement_is_named() -> None:
    p = iam_policy(
        allow("dynamodb:GetItem", Sid="Read"),
        allow(Sid="Admin"),
    )
    v = one(ID, p)
    assert "'Admin'" in v.reason and "'Read'" not in v.reason


def test_every_principal_carrying_the_policy_is_named() -> None:
    group = f"arn:aws:iam::{ACCOUNT}:group/ops"
    v = one(ID, iam_policy(allow(), attached_to=(ROLE, group)))
    assert ROLE in v.reason and group in v.reason


def test_unattached_policy_still_fails_and_says_so() -> None:
    v = one(ID, iam_policy(allow(), attached_to=()))
    assert v.status is Status.FAIL
    assert "no principal" in v.reason


def test_document_the_source_could_not_parse_is_unknown() -> None:
    broken = PolicyDocument((), raw="{", parse_error="Expecting property name")
    v = one(ID, iam_policy(document=broken))
    assert v.status is Status.UNKNOWN
    assert "Expecting property name" in v.reason


def test_unresolved_action_is_unknown() -> None:
    v = one(ID, iam_policy(allow(Unknown("var.actions is not set"))))
    assert v.status is Status.UNKNOWN
    assert "var.actions is not set" in v.reason


def test_malformed_statement_is_unknown() -> None:
    assert status(ID, iam_policy({"Effect": "Allow", "Resource": "*"})) is Status.UNKNOWN


def test_wildcard_without_resource_is_unknown() -> None:
    assert status(ID, iam_policy(allow(resource=None))) is Status.UNKNOWN


def test_wildcard_grant_beats_another_unresolved_statement() -> None:
    """A definite FAIL is reported even when the policy also has an unresolved statement."""
    p = iam_policy(allow(Unknown("var.x")), allow(Sid="Admin"))
    v = one(ID, p)
    assert v.status is Status.FAIL
    assert "'Admin'" in v.reason


def test_scoped_policy_with_an_unresolved_statement_is_unknown() -> None:
    p = iam_policy(allow("dynamodb:GetItem"), allow(Unknown("var.x")))
    v = one(ID, p)
    assert v.status is Status.UNKNOWN
    assert "var.x" in v.reason
