"""DDB.008: DAX endpoint TLS."""

from __future__ import annotations

from dynaguard.model import Known, Status

from .builders import DENIED, dax, one, status

ID = "DDB.008"


def test_tls_passes() -> None:
    assert status(ID, dax()) is Status.PASS


def test_none_fails() -> None:
    v = one(ID, dax(endpoint_encryption=Known("NONE")))
    assert v.status is Status.FAIL
    assert "NONE" in v.reason


def test_unknown_is_unknown_with_reason() -> None:
    v = one(ID, dax(endpoint_encryption=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
