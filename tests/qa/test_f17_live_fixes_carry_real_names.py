"""QA F17: a live scan's fixes name the real table and region (``aws dynamodb update-table
--region us-east-1 --table-name catalog ...``), not ``TABLE`` placeholders. Fixed on main
before this test; it guards the whole path (collector, evaluate, JSON) end to end."""

from __future__ import annotations

import json
import re

import pytest

from tests.qa.conftest import cli


@pytest.mark.slow
def test_live_fixes_carry_real_names(fleet_url: str) -> None:
    result = cli(
        "scan", "--endpoint-url", fleet_url, "--region", "us-east-1", "--no-history",
        "--controls", "DDB.002,DDB.003", "--format", "json",
    )  # fmt: skip
    failing = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "FAIL"]
    assert failing, result.stderr
    for finding in failing:
        fix = finding["remediation"]
        assert f"--table-name {finding['resource_id']} " in fix, fix
        assert "--region us-east-1 " in fix, fix
        assert not re.search(r"\b(TABLE|REGION|TABLE_ARN)\b", fix), fix
