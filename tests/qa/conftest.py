"""QA regression tests: one file per defect in FINDINGS.md (qa branch).

Each test asserts the documented behaviour and is marked ``xfail(strict=True)`` with the
finding's number while the defect is open, so the suite stays green and a fix turns the test
into an XPASS failure: the fixer then deletes the marker.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import fresh_fleet


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``dynaguard ARGS`` in a fresh process (exit code, stdout and stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="module")
def fleet_url() -> Iterator[str]:
    """The demo fleet on the emulator server (fresh for each module); yields its endpoint."""
    with fresh_fleet() as fleet:
        yield fleet.url
