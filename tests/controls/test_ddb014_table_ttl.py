"""DDB.014: TTL enabled."""

from __future__ import annotations

import pytest

from dynaguard.model import Known, Status, Ttl

from .builders import DENIED, one, status, table

ID = "DDB.014"


@pytest.mark.parametrize(
    ("ttl_status", "expected"),
    [
        ("ENABLED", Status.PASS),
        ("ENABLING", Status.PASS),
        ("DISABLED", Status.FAIL),
        ("DISABLING", Status.FAIL),
        ("SOMETHING_NEW", Status.UNKNOWN),
    ],
)
def test_statuses(ttl_status: str, expected: Status) -> None:
    assert status(ID, table(ttl=Known(Ttl(ttl_status)))) is expected


def test_pass_names_the_attribute() -> None:
    assert "expires_at" in one(ID, table()).reason


def test_unknown_is_unknown_with_reason() -> None:
    v = one(ID, table(ttl=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
