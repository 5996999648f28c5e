"""QA F01: a declared table whose count / for_each cannot be expanded vanishes (0 resources,
exit 0) instead of being reported (UNKNOWN finding or input error, exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.qa.conftest import cli

TABLE = """
resource "aws_dynamodb_table" "t" {{
  {meta}
  name         = "t"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
}}
"""


@pytest.mark.parametrize(
    ("preamble", "meta"),
    [
        ('variable "tables" {\n  type = map(string)\n}\n', "for_each = var.tables"),
        ("", "count = -1"),
        ("", "for_each = 5"),
    ],
)
def test_unexpandable_table_is_not_a_silent_pass(tmp_path: Path, preamble: str, meta: str) -> None:
    (tmp_path / "main.tf").write_text(preamble + TABLE.format(meta=meta))
    result = cli("iac", str(tmp_path), "--no-history", "--format", "json")
    report = json.loads(result.stdout) if result.stdout.strip() else {"findings": []}
    assert result.returncode in (1, 3), (result.returncode, result.stderr)
    assert report["findings"] or "main.tf" in result.stderr
