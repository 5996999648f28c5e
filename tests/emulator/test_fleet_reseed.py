"""Seeding is idempotent only through a reset: a second seed into the same state fails."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynaguard.emulator import seed_demo_fleet

pytestmark = pytest.mark.slow


def test_reseeding_needs_a_reset(emulator, server):
    first = seed_demo_fleet(emulator.endpoint_url)
    with pytest.raises(ClientError):
        seed_demo_fleet(emulator.endpoint_url)
    emulator.reset()
    second = seed_demo_fleet(emulator.endpoint_url)
    assert second.tables == first.tables
    assert set(second.expected.values()) == set(first.expected.values())
    assert len(second.expected) == len(first.expected)


def test_seed_into_another_account_keeps_accounts_apart(emulator, server):
    manifest = seed_demo_fleet(emulator.endpoint_url, account_id="210987654321")
    assert manifest.account_id == "210987654321"
    assert server("dynamodb").list_tables()["TableNames"] == []  # the default account is empty
    # ... and the default account can still get its own fleet.
    assert seed_demo_fleet(emulator.endpoint_url).account_id == "123456789012"


def test_three_distinct_regions_are_required(emulator):
    with pytest.raises(ValueError, match="distinct regions"):
        seed_demo_fleet(emulator.endpoint_url, replica_region="us-east-1")
