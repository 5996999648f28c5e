"""DDB.013: streams enabled with an allowed view type."""

from __future__ import annotations

from dynaguard.model import Known, Status, Stream

from .builders import DENIED, ctx, one, status, table

ID = "DDB.013"


def test_enabled_with_allowed_view_type_passes() -> None:
    assert status(ID, table()) is Status.PASS


def test_disabled_fails() -> None:
    assert status(ID, table(stream=Known(Stream(False)))) is Status.FAIL


def test_view_type_not_allowed_fails() -> None:
    v = one(ID, table(stream=Known(Stream(True, "KEYS_ONLY"))))
    assert v.status is Status.FAIL
    assert "KEYS_ONLY" in v.reason


def test_allowed_view_types_come_from_baseline() -> None:
    t = table(stream=Known(Stream(True, "KEYS_ONLY")))
    assert status(ID, t, ctx(stream_view_types=("KEYS_ONLY", "NEW_IMAGE"))) is Status.PASS


def test_enabled_without_view_type_is_unknown() -> None:
    assert status(ID, table(stream=Known(Stream(True, None)))) is Status.UNKNOWN


def test_unknown_is_unknown_with_reason() -> None:
    v = one(ID, table(stream=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
