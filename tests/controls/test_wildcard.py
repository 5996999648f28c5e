"""The one wildcard module (AWS ``*`` / ``?``) and the AWS managed key predicate."""

from __future__ import annotations

import pytest

from dynaguard.config import Suppression
from dynaguard.model import is_aws_managed_dynamodb_key
from dynaguard.model.backup_match import wildcard_matches
from dynaguard.model.wildcard import covers_prefix, has_wildcard, matches


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("dynamodb:Get*", "dynamodb:GetItem", True),
        ("dynamodb:?etItem", "dynamodb:GetItem", True),
        ("dynamodb:Get*", "dynamodb:PutItem", False),
        ("arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:eu-west-1:1:table/a/index/b", True),
        ("*", "", True),
        ("a*", "a", True),
        ("a?", "a", False),
        ("[ab]", "a", False),  # no character classes, unlike fnmatch
        ("[ab]", "[ab]", True),
        ("a.b", "axb", False),  # regex characters are literal
    ],
)
def test_matches(pattern: str, value: str, expected: bool) -> None:
    assert matches(pattern, value) is expected


def test_case_is_significant_unless_asked() -> None:
    assert not matches("DynamoDB:*", "dynamodb:GetItem")
    assert matches("DynamoDB:*", "dynamodb:GetItem", ignore_case=True)


def test_backup_wildcards_have_no_single_character_form() -> None:
    assert wildcard_matches("table/orders-*", "table/orders-1")
    assert not wildcard_matches("table/order?", "table/orders")
    assert wildcard_matches("table/order?", "table/order?")
    assert has_wildcard("a?") and not has_wildcard("a?", single_char=False)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("*", True), ("dynamodb:*", True), ("dyn*", True), ("dynamodb:Get*", False), ("s3:*", False)],
)
def test_covers_prefix(pattern: str, expected: bool) -> None:
    assert covers_prefix(pattern, "dynamodb:") is expected


def test_suppression_patterns_use_aws_wildcards() -> None:
    s = Suppression("DDB.001", ("orders-?", "legacy-*"), "migrating")
    assert s.matches("DDB.001", ("orders-1",))
    assert s.matches("DDB.001", ("legacy-x",))
    assert not s.matches("DDB.001", ("orders-12",))
    assert not Suppression("DDB.001", ("[o]rders",), "r").matches("DDB.001", ("orders",))


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (None, True),
        ("alias/aws/dynamodb", True),
        ("aws/dynamodb", True),
        ("arn:aws:kms:eu-west-1:111122223333:alias/aws/dynamodb", True),
        ("arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/dynamodb", True),
        ("alias/aws/dynamodb-copy", False),
        ("alias/app", False),
        ("arn:aws:kms:eu-west-1:111122223333:key/0b7a2f0e-1111-4c4c-9a9a-000000000001", False),
        ("arn:aws:s3:::alias/aws/dynamodb", False),
    ],
)
def test_aws_managed_key_predicate(ref: str | None, expected: bool) -> None:
    assert is_aws_managed_dynamodb_key(ref) is expected
