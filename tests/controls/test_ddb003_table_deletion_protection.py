"""DDB.003: deletion protection."""

from __future__ import annotations

from dynaguard.model import Known, Status

from .builders import DENIED, one, status, table

ID = "DDB.003"


def test_enabled_passes() -> None:
    assert status(ID, table()) is Status.PASS


def test_disabled_fails() -> None:
    assert status(ID, table(deletion_protection=Known(False))) is Status.FAIL


def test_unknown_is_unknown_with_reason() -> None:
    v = one(ID, table(deletion_protection=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
