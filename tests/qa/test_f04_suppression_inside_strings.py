"""QA F04: ``dynaguard:ignore`` inside a string value (a heredoc or a quoted YAML tag value)
suppresses a FAIL: the marker is matched on raw text lines, not on comments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.qa.conftest import cli

HCL = """
resource "aws_dynamodb_table" "c" {
  name         = "c"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = {
    note = "# dynaguard:ignore DDB.002 a tag value, not a comment"
  }
}
"""

CFN = """
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      Tags:
        - Key: note
          Value: "# dynaguard:ignore DDB.001 a tag value, not a comment"
"""


@pytest.mark.parametrize(("name", "text"), [("main.tf", HCL), ("t.yaml", CFN)])
def test_marker_in_a_string_suppresses_nothing(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    result = cli("iac", str(tmp_path), "--no-history", "--format", "json")
    statuses = {f["status"] for f in json.loads(result.stdout)["findings"]}
    assert "SUPPRESSED" not in statuses
