"""DDB.017: required tag keys."""

from __future__ import annotations

from dynaguard.model import Known, Status

from .builders import DENIED, ctx, one, status, table

ID = "DDB.017"


def test_no_required_tags_is_not_applicable() -> None:
    assert status(ID, table()) is Status.NOT_APPLICABLE


def test_all_required_keys_present_passes() -> None:
    assert status(ID, table(), ctx(required_tags=("owner", "backup"))) is Status.PASS


def test_missing_keys_fail_and_are_named() -> None:
    v = one(ID, table(), ctx(required_tags=("owner", "cost-center", "data-class")))
    assert v.status is Status.FAIL
    assert "cost-center" in v.reason and "data-class" in v.reason and "owner" not in v.reason


def test_keys_are_case_sensitive() -> None:
    assert status(ID, table(), ctx(required_tags=("Owner",))) is Status.FAIL


def test_untagged_table_fails() -> None:
    assert status(ID, table(tags=Known({})), ctx(required_tags=("owner",))) is Status.FAIL


def test_unknown_tags_is_unknown_with_reason() -> None:
    v = one(ID, table(tags=DENIED), ctx(required_tags=("owner",)))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_unknown_tags_without_required_tags_is_not_applicable() -> None:
    assert status(ID, table(tags=DENIED)) is Status.NOT_APPLICABLE
