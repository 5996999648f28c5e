"""DDB.005: AWS Backup coverage, including tag-based and excluding selections."""

from __future__ import annotations

from dynaguard.controls.base import Context, Status
from dynaguard.model import BackupSelection, Known, TagCondition

from .builders import DENIED, ctx, one, scope, selection, status, table, table_arn

ID = "DDB.005"


def with_selections(*selections: BackupSelection) -> Context:
    return ctx(scope(backup_selections=Known(tuple(selections))))


def test_wildcard_selection_covers() -> None:
    v = one(ID, table())
    assert v.status is Status.PASS
    assert "daily/all-tables" in v.reason


def test_explicit_arn_covers() -> None:
    s = selection(resources=(table_arn("orders"),))
    assert status(ID, table(), with_selections(s)) is Status.PASS


def test_other_table_selected_fails() -> None:
    s = selection(resources=(table_arn("audit"),))
    v = one(ID, table(), with_selections(s))
    assert v.status is Status.FAIL
    assert "none of the 1" in v.reason


def test_no_selection_at_all_fails() -> None:
    assert status(ID, table(), with_selections()) is Status.FAIL


def test_tag_based_selection_covers() -> None:
    """The peers' defect: a backup check that only reads Resources."""
    s = selection(resources=(), list_of_tags=(TagCondition("STRINGEQUALS", "backup", "daily"),))
    assert status(ID, table(), with_selections(s)) is Status.PASS


def test_tag_based_selection_not_matching_fails() -> None:
    s = selection(resources=(), list_of_tags=(TagCondition("STRINGEQUALS", "backup", "never"),))
    assert status(ID, table(), with_selections(s)) is Status.FAIL


def test_not_resources_exclusion_fails() -> None:
    s = selection(resources=("*",), not_resources=("arn:aws:dynamodb:*:*:table/orders",))
    assert status(ID, table(), with_selections(s)) is Status.FAIL


def test_any_covering_selection_suffices() -> None:
    excluded = selection(selection_name="most", resources=("*",), not_resources=(table_arn(),))
    named = selection(selection_name="named", resources=(table_arn(),))
    v = one(ID, table(), with_selections(excluded, named))
    assert v.status is Status.PASS
    assert "daily/named" in v.reason


def test_tag_selection_with_unknown_tags_is_unknown() -> None:
    s = selection(resources=(), list_of_tags=(TagCondition("STRINGEQUALS", "backup", "daily"),))
    v = one(ID, table(tags=DENIED), with_selections(s))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_arn_selection_with_unknown_tags_still_passes() -> None:
    assert status(ID, table(tags=DENIED)) is Status.PASS


def test_selections_unknown_is_unknown_with_reason() -> None:
    v = one(ID, table(), ctx(scope(backup_selections=DENIED)))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_table_from_code_without_arn_is_matched_on_its_future_arn() -> None:
    s = selection(resources=("arn:aws:dynamodb:eu-west-1:*:table/orders",))
    assert status(ID, table(arn=None), with_selections(s)) is Status.PASS


def test_unsupported_operator_is_unknown_not_a_crash() -> None:
    s = selection(conditions=(TagCondition("NUMERICEQUALS", "n", "1"),))
    assert status(ID, table(), with_selections(s)) is Status.UNKNOWN
