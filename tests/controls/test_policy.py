"""Policy-language helpers shared by DDB.006 and DDB.012."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.model import PolicyDocument, Unknown, dynamodb_actions
from dynaguard.model.policy import (
    ConditionEntry,
    PolicyParseError,
    parse_each,
    parse_statement,
    principal_account,
)
from dynaguard.model.policy_identity import applies_to_all_tables, is_table_wildcard


def stmt(**kw: Any) -> Any:
    raw = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", **kw}
    return parse_statement(raw, 0)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("arn:aws:dynamodb:*:*:table/*", True),
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/*", True),
        ("arn:aws:dynamodb:*", True),
        ("arn:aws:dynamodb:*:*:*", True),
        ("arn:*:dynamodb:*:*:table/*", True),
        ("arn:aws:*:*:*:*", True),
        ("arn:aws:dynamodb:*:*:table/orders", False),
        ("arn:aws:dynamodb:*:*:table/orders*", False),
        ("arn:aws:s3:::*", False),
    ],
)
def test_is_table_wildcard(pattern: str, expected: bool) -> None:
    assert is_table_wildcard(pattern) is expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"Action": "dynamodb:*"}, True),
        ({"Action": ["s3:GetObject", "*"]}, True),
        ({"Action": ["dynamodb:GetItem", "dynamodb:Query"]}, False),
        ({"NotAction": "iam:*", "Action": None}, True),
        ({"NotAction": "dynamodb:*", "Action": None}, False),
        ({"NotAction": "dynamodb:DeleteTable", "Action": None}, True),
    ],
)
def test_grants_all_dynamodb_actions(kw: dict[str, Any], expected: bool) -> None:
    raw = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", **kw}
    raw = {k: v for k, v in raw.items() if v is not None}
    s = parse_statement(raw, 0)
    granted = dynamodb_actions.granted(s.actions, not_action=s.not_action)
    leaves_in = s.not_action and bool(granted)
    assert (granted == dynamodb_actions.all_actions() or leaves_in) is expected


def test_not_resource_reaches_all_tables_unless_it_excludes_them() -> None:
    narrow = {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:s3:::*"}
    broad = {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*"}
    assert applies_to_all_tables(parse_statement(narrow, 0))
    assert not applies_to_all_tables(parse_statement(broad, 0))


def test_principal_star_is_aws_star() -> None:
    assert stmt(Principal="*").principals == {"AWS": ("*",)}


def test_principal_account() -> None:
    assert principal_account("111122223333") == "111122223333"
    assert principal_account("arn:aws:iam::111122223333:root") == "111122223333"
    assert principal_account("arn:aws:iam::111122223333:role/app") == "111122223333"
    assert principal_account("arn:aws:sts::111122223333:assumed-role/app/s") == "111122223333"
    assert principal_account("arn:aws-cn:iam::111122223333:root") == "111122223333"
    assert principal_account("AROAEXAMPLEID") is None


def test_conditions_keep_their_spelling_and_scalar_values_become_text() -> None:
    s = stmt(
        Condition={
            "StringEquals": {"AWS:PrincipalOrgID": "o-abc"},
            "Bool": {"aws:SecureTransport": True},
        }
    )
    assert s.conditions == (
        ConditionEntry("StringEquals", "AWS:PrincipalOrgID", ("o-abc",)),
        ConditionEntry("Bool", "aws:SecureTransport", ("true",)),
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"Effect": "Permit", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": 42, "Resource": "*"},
        {"Effect": "Allow", "Action": Unknown("var.actions"), "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:*", Unknown("local.x")], "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "everyone"},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": ["x"]},
    ],
)
def test_malformed_statements_raise(raw: dict[str, Any]) -> None:
    with pytest.raises(PolicyParseError):
        parse_statement(raw, 0)


def test_unresolved_value_reason_is_kept() -> None:
    with pytest.raises(PolicyParseError, match=r"var\.actions"):
        parse_statement({"Effect": "Allow", "Action": Unknown("var.actions"), "Resource": "*"}, 0)


def test_statement_label_prefers_sid() -> None:
    assert stmt(Sid="AppRead").label == "statement 'AppRead'"
    assert parse_statement({"Effect": "Deny", "Action": "*", "Resource": "*"}, 2).label == (
        "statement #3"
    )


def test_parse_each_keeps_the_effect_of_a_statement_it_cannot_read() -> None:
    good = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    bad_deny = {"Effect": "Deny", "Action": Unknown("var.x"), "Resource": "*"}
    bad = {"Effect": Unknown("var.e"), "Action": "*", "Resource": "*"}
    statements, problems = parse_each(PolicyDocument((good, bad_deny, bad)))
    assert [s.index for s in statements] == [0]
    assert [(p.index, p.effect) for p in problems] == [(1, "Deny"), (2, None)]
