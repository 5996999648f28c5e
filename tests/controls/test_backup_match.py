"""AWS Backup selection semantics: ARN wildcards, ListOfTags (OR), Conditions (AND),
NotResources, and honest 'cannot decide' when tags are unknown."""

from __future__ import annotations

import pytest

from dynaguard.model import BackupSelection, TagCondition
from dynaguard.model.backup_match import (
    covering_selections,
    selection_covers,
    wildcard_matches,
)

ARN = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
OTHER = "arn:aws:dynamodb:eu-west-1:111122223333:table/audit"
TAGS = {"backup": "daily", "env": "production"}


def sel(**kw: object) -> BackupSelection:
    return BackupSelection(plan_name="p", selection_name="s", **kw)  # type: ignore[arg-type]


def eq(key: str, value: str) -> TagCondition:
    return TagCondition("STRINGEQUALS", key, value)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (ARN, True),
        ("*", True),
        ("arn:aws:dynamodb:*:*:table/*", True),
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/ord*", True),
        ("arn:aws:dynamodb:*:*:table/order", False),
        ("arn:aws:dynamodb:us-east-1:*:table/*", False),
        ("arn:aws:ec2:*:*:volume/*", False),
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/ORDERS", False),  # case sensitive
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/orde?", False),  # ? is not a wildcard
    ],
)
def test_resource_patterns(pattern: str, expected: bool) -> None:
    assert selection_covers(sel(resources=(pattern,)), ARN, TAGS) is expected


def test_wildcard_matches_empty_run() -> None:
    assert wildcard_matches("arn:*:table/orders", "arn::table/orders")


def test_not_resources_exclude_a_wildcard_selection() -> None:
    s = sel(resources=("*",), not_resources=(ARN,))
    assert selection_covers(s, ARN, TAGS) is False
    assert selection_covers(s, OTHER, TAGS) is True


def test_not_resources_accept_wildcards() -> None:
    s = sel(resources=("*",), not_resources=("arn:aws:dynamodb:*:*:table/ord*",))
    assert selection_covers(s, ARN, TAGS) is False


def test_not_resources_exclude_tag_selected_tables_without_needing_tags() -> None:
    s = sel(list_of_tags=(eq("backup", "daily"),), not_resources=(ARN,))
    assert selection_covers(s, ARN, None) is False


def test_list_of_tags_is_or() -> None:
    s = sel(list_of_tags=(eq("backup", "weekly"), eq("env", "production")))
    assert selection_covers(s, ARN, TAGS) is True
    assert selection_covers(s, ARN, {"backup": "weekly"}) is True
    assert selection_covers(s, ARN, {"env": "test"}) is False


def test_list_of_tags_is_or_with_resources() -> None:
    """A tag does not narrow Resources: a selection covers what either selects."""
    s = sel(resources=(OTHER,), list_of_tags=(eq("backup", "daily"),))
    assert selection_covers(s, ARN, TAGS) is True
    assert selection_covers(s, ARN, {}) is False


def test_condition_key_may_carry_the_resource_tag_prefix() -> None:
    s = sel(list_of_tags=(eq("aws:ResourceTag/backup", "daily"),))
    assert selection_covers(s, ARN, TAGS) is True


def test_tag_values_are_case_sensitive() -> None:
    assert selection_covers(sel(list_of_tags=(eq("backup", "Daily"),)), ARN, TAGS) is False


def test_conditions_are_and_and_narrow_resources() -> None:
    both = (eq("aws:ResourceTag/backup", "daily"), eq("aws:ResourceTag/env", "production"))
    s = sel(resources=("*",), conditions=both)
    assert selection_covers(s, ARN, TAGS) is True
    assert selection_covers(s, ARN, {"backup": "daily"}) is False


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("STRINGLIKE", "prod*", True),
        ("STRINGLIKE", "*duct*", True),
        ("STRINGLIKE", "test*", False),
        ("STRINGNOTEQUALS", "test", True),
        ("STRINGNOTEQUALS", "production", False),
        ("STRINGNOTLIKE", "test*", True),
        ("STRINGNOTLIKE", "prod*", False),
        ("StringEquals", "production", True),  # operator spelling as in the Conditions API
    ],
)
def test_condition_operators(operator: str, value: str, expected: bool) -> None:
    s = sel(resources=("*",), conditions=(TagCondition(operator, "aws:ResourceTag/env", value),))
    assert selection_covers(s, ARN, TAGS) is expected


def test_negated_condition_holds_for_a_missing_tag() -> None:
    s = sel(resources=("*",), conditions=(TagCondition("STRINGNOTEQUALS", "skip", "true"),))
    assert selection_covers(s, ARN, {}) is True


def test_conditions_apply_to_tag_selected_resources_too() -> None:
    s = sel(list_of_tags=(eq("backup", "daily"),), conditions=(eq("env", "test"),))
    assert selection_covers(s, ARN, TAGS) is False


def test_empty_selection_selects_nothing() -> None:
    assert selection_covers(sel(), ARN, TAGS) is False
    assert selection_covers(sel(conditions=(eq("env", "production"),)), ARN, TAGS) is False


def test_unknown_tags_undecided_only_when_the_answer_depends_on_them() -> None:
    assert selection_covers(sel(list_of_tags=(eq("backup", "daily"),)), ARN, None) is None
    assert selection_covers(sel(resources=("*",), conditions=(eq("env", "x"),)), ARN, None) is None
    assert selection_covers(sel(resources=(ARN,)), ARN, None) is True
    assert selection_covers(sel(resources=(OTHER,)), ARN, None) is False
    tagged_or_named = sel(resources=(ARN,), list_of_tags=(eq("backup", "daily"),))
    assert selection_covers(tagged_or_named, ARN, None) is True


def test_unsupported_operator_raises() -> None:
    s = sel(resources=("*",), conditions=(TagCondition("NUMERICEQUALS", "n", "1"),))
    with pytest.raises(ValueError, match="NUMERICEQUALS"):
        selection_covers(s, ARN, TAGS)


def test_covering_selections_splits_covering_and_undecided() -> None:
    a = sel(resources=(OTHER,))
    b = sel(list_of_tags=(eq("backup", "daily"),))
    c = sel(resources=(ARN,))
    assert covering_selections([a, b, c], ARN, None) == ([c], [b])


# --- service opt-in (https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html)


@pytest.mark.parametrize(
    ("selection", "opted_in", "expected"),
    [
        # A DynamoDB ARN assigns the resource type explicitly: backed up without opt-in.
        (sel(resources=(ARN,)), False, True),
        (sel(resources=("arn:aws:dynamodb:*:*:table/*",)), False, True),
        # '*' ("include all resources") and ARN patterns naming no service honour opt-in.
        (sel(resources=("*",)), False, False),
        (sel(resources=("arn:aws:*:*:*:*",)), False, False),
        (sel(resources=("*",)), True, True),
        # Tags only: opt-in applies.
        (sel(list_of_tags=(eq("backup", "daily"),)), False, False),
        (sel(list_of_tags=(eq("backup", "daily"),)), True, True),
        # Unknown opt-in: undecided only where the answer depends on it.
        (sel(list_of_tags=(eq("backup", "daily"),)), None, None),
        (sel(resources=("*",)), None, None),
        (sel(resources=(ARN,)), None, True),
        (sel(resources=(OTHER,)), None, False),
        # Explicit ARN OR tag: the explicit part covers whatever the opt-in.
        (sel(resources=(ARN,), list_of_tags=(eq("backup", "daily"),)), False, True),
    ],
)
def test_opt_in_applies_unless_dynamodb_is_assigned_explicitly(
    selection: BackupSelection, opted_in: bool | None, expected: bool | None
) -> None:
    assert selection_covers(selection, ARN, TAGS, opted_in) is expected
