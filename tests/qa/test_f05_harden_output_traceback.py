"""QA F05: ``harden --format json --output PATH`` with an unwritable PATH applies every change,
then dies with a Python traceback and exit 1 (documented as "some change failed"); the result
is lost. Expected: the path is checked before anything changes (exit 2, one line), as scan and
iac do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.conftest import cli


@pytest.mark.slow
def test_unwritable_output_is_a_usage_error_before_any_change(
    fleet_url: str, tmp_path: Path
) -> None:
    result = cli(
        "harden", "--endpoint-url", fleet_url, "--region", "us-east-1",
        "--table", "catalog", "--only", "DDB.003", "--yes", "--format", "json",
        "--output", str(tmp_path / "missing" / "h.json"), "--state-dir", str(tmp_path / "st"),
    )  # fmt: skip
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    scan = cli(
        "scan", "--endpoint-url", fleet_url, "--region", "us-east-1", "--no-history",
        "--table", "catalog", "--controls", "DDB.003", "--quiet",
    )  # fmt: skip
    assert scan.returncode == 1  # deletion protection still off: nothing was changed
