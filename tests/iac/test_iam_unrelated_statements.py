"""DDB.012 on infrastructure code: a statement whose Resource is unresolved but whose Action
names no DynamoDB action (the commonest UNKNOWN in a survey of public Terraform) leaves the
policy judged on the rest; one whose Action could name DynamoDB keeps it UNKNOWN."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import scan_iac
from tests.iac.conftest import findings

TERRAFORM = """
variable "bucket_arn" {{}}

data "aws_iam_policy_document" "app" {{
  statement {{
    actions   = ["dynamodb:GetItem"]
    resources = ["*"]
  }}
  statement {{
    actions   = {actions}
    resources = ["${{var.bucket_arn}}/*"]
  }}
}}

resource "aws_iam_policy" "app" {{
  name   = "app"
  policy = data.aws_iam_policy_document.app.json
}}
"""

CLOUDFORMATION = """
Parameters:
  BucketArn:
    Type: String
Resources:
  App:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [dynamodb:GetItem]
            Resource: "*"
          - Effect: Allow
            Action: {actions}
            Resource: !Sub "${{BucketArn}}/*"
"""

CASES = [
    ('["s3:GetObject", "s3:PutObject"]', "PASS"),
    ('["sqs:*"]', "PASS"),
    ('["dynamodb:*"]', "UNKNOWN"),
    ('["*"]', "UNKNOWN"),
]


@pytest.mark.parametrize(("actions", "expected"), CASES)
@pytest.mark.parametrize(
    ("name", "text", "resource"),
    [
        ("main.tf", TERRAFORM, "aws_iam_policy.app"),
        ("t.yaml", CLOUDFORMATION, "App"),
    ],
    ids=["terraform", "cloudformation"],
)
def test_unresolved_resource_matters_only_with_dynamodb_actions(
    tmp_path: Path, name: str, text: str, resource: str, actions: str, expected: str
) -> None:
    (tmp_path / name).write_text(text.format(actions=actions), encoding="utf-8")
    result = scan_iac([tmp_path], controls=["DDB.012"])
    [finding] = findings(result, "DDB.012", resource)
    assert finding.status.value == expected, finding.reason
