"""QA F07: provisioning a preset with no customer key (AWS managed key) twice: the second run
reports "differs: encryption wanted KMS, found CUSTOMER_KEY arn:...:key/<aws/dynamodb's id>"
and exits 1. README (provision, Idempotent): an existing table that matches the spec is exit 0."""

from __future__ import annotations

import pytest

from tests.qa.conftest import cli


@pytest.mark.slow
def test_second_identical_provision_exits_0(fleet_url: str) -> None:
    args = (
        "provision", "--preset", "sessions", "--name", "qa-f07-sessions",
        "--region", "us-east-1", "--endpoint-url", fleet_url, "--yes",
    )  # fmt: skip
    first = cli(*args)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr
    second = cli(*args)
    assert "wanted KMS" not in second.stdout + second.stderr
    assert second.returncode == 0
