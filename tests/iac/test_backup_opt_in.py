"""DDB.005 in Terraform: aws_backup_region_settings decides whether a tag or '*' selection is
honoured; without it, AWS's default (opted in) applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.config import Config
from dynaguard.iac_scan import scan_iac

TABLE = """
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  tags = { backup = "daily" }
}
resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = "Default"
    schedule          = "cron(0 5 * * ? *)"
  }
}
resource "aws_backup_selection" "tagged" {
  name         = "tagged"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  %s
}
"""
BY_TAG = (
    'selection_tag {\n    type  = "STRINGEQUALS"\n    key   = "backup"\n    value = "daily"\n  }'
)
BY_ARN = "resources = [aws_dynamodb_table.orders.arn]"
SETTINGS = """
resource "aws_backup_region_settings" "this" {
  resource_type_opt_in_preference = { DynamoDB = %s, EBS = true }
  resource_type_management_preference = { DynamoDB = true }
}
"""


def ddb005(tmp_path: Path, selection: str, opted_in: str | None) -> tuple[str, str]:
    text = TABLE % selection + (SETTINGS % opted_in if opted_in else "")
    (tmp_path / "main.tf").write_text(text)
    result = scan_iac([tmp_path], config=Config())
    found = [f for f in result.report.findings if f.control_id == "DDB.005"]
    assert len(found) == 1, found
    return found[0].status.value, found[0].reason


@pytest.mark.parametrize(
    ("selection", "opted_in", "expected"),
    [
        (BY_TAG, None, "PASS"),  # AWS's default: opted in
        (BY_TAG, "true", "PASS"),
        (BY_TAG, "false", "FAIL"),
        (BY_ARN, "false", "PASS"),  # an explicit DynamoDB ARN ignores the opt-in
    ],
)
def test_region_settings_decide_tag_selections(
    tmp_path: Path, selection: str, opted_in: str | None, expected: str
) -> None:
    status, reason = ddb005(tmp_path, selection, opted_in)
    assert status == expected, reason
    if expected == "FAIL":
        assert "not opted in for DynamoDB" in reason
