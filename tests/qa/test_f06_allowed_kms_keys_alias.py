"""QA F06: ``baseline.allowed_kms_keys`` accepts an alias ARN (the config check passes), but
DDB.001 compares it with the table's key ARN only, so every table encrypted with that very key
FAILs ("not in allowed_kms_keys"). Either resolve aliases (kms:ListAliases / DescribeKey) or
reject alias ARNs in the config with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.qa.conftest import cli


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="QA F06: alias ARN in allowed_kms_keys never matches")
def test_alias_in_allow_list_is_honoured_or_rejected(fleet_url: str, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        'baseline:\n  allowed_kms_keys: ["arn:aws:kms:us-east-1:123456789012:alias/sentinel-cmk"]\n'
    )
    result = cli(
        "scan", "--endpoint-url", fleet_url, "--region", "us-east-1", "--no-history",
        "--table", "sentinel-approvals", "--controls", "DDB.001", "--config", str(config),
        "--format", "json",
    )  # fmt: skip
    if result.returncode == 2:
        return  # rejected as a usage error: acceptable
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["status"] == "PASS", finding["reason"]
