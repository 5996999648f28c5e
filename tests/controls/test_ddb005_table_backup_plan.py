"""DDB.005: AWS Backup coverage, including tag-based and excluding selections."""

from __future__ import annotations

from dynaguard.controls.base import Context
from dynaguard.model import BackupRegionSettings, BackupSelection, Known, Status, TagCondition

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


# --- the Region's opt-in for DynamoDB (DescribeRegionSettings)


def opt_in(
    opted_in: bool | None, *selections: BackupSelection, advanced: bool | None = True
) -> Context:
    settings = Known(BackupRegionSettings(opted_in, advanced)) if opted_in is not None else DENIED
    chosen = selections or (selection(),)
    return ctx(scope(backup_selections=Known(chosen), backup_settings=settings))


TAGGED = selection(resources=(), list_of_tags=(TagCondition("STRINGEQUALS", "backup", "daily"),))
EVERYTHING = selection(resources=("*",))


def test_tag_selection_without_opt_in_fails_and_says_why() -> None:
    v = one(ID, table(), opt_in(False, TAGGED))
    assert v.status is Status.FAIL
    assert "not opted in for DynamoDB" in v.reason and "update-region-settings" in v.reason


def test_star_selection_without_opt_in_fails() -> None:
    assert status(ID, table(), opt_in(False, EVERYTHING)) is Status.FAIL


def test_explicit_dynamodb_selection_covers_without_opt_in() -> None:
    # builders.selection() names arn:aws:dynamodb:*:*:table/*: an explicit assignment.
    assert status(ID, table(), opt_in(False)) is Status.PASS


def test_opt_in_unknown_is_unknown_only_when_it_matters() -> None:
    v = one(ID, table(), opt_in(None, TAGGED))
    assert v.status is Status.UNKNOWN
    assert "opt-in for DynamoDB unknown" in v.reason and DENIED.reason in v.reason
    assert status(ID, table(), opt_in(None)) is Status.PASS


def test_advanced_features_off_is_noted_on_a_pass() -> None:
    v = one(ID, table(), opt_in(True, TAGGED, advanced=False))
    assert v.status is Status.PASS
    assert "advanced DynamoDB features are off" in v.reason
    assert "advanced" not in one(ID, table(), opt_in(True, TAGGED)).reason
