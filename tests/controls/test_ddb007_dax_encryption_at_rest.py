"""DDB.007: DAX encryption at rest."""

from __future__ import annotations

from dynaguard.model import Known, Status

from .builders import DENIED, dax, one, status

ID = "DDB.007"


def test_encrypted_passes() -> None:
    assert status(ID, dax()) is Status.PASS


def test_unencrypted_fails() -> None:
    assert status(ID, dax(sse_enabled=Known(False))) is Status.FAIL


def test_unknown_is_unknown_with_reason() -> None:
    v = one(ID, dax(sse_enabled=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
