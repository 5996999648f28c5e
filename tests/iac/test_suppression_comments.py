"""Inline suppressions count only in real comments (QA F04): a ``dynaguard:ignore`` marker
inside an HCL string or heredoc, a quoted or block YAML scalar, or a JSON string value is data
and suppresses nothing; the comment forms of each language still do."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import IacResult, scan_iac
from dynaguard.sources.iac.comments import hcl_comments, yaml_comments
from tests.iac.conftest import status_of

TABLE_TF = """
resource "aws_dynamodb_table" "c" {{
  name         = "c"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
{body}
}}
"""

TABLE_CFN = """
Resources:
{above}
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      BillingMode: PAY_PER_REQUEST
{body}
"""


def _scan(tmp_path: Path, name: str, text: str) -> IacResult:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return scan_iac([tmp_path], controls=["DDB.002", "DDB.003"])


HCL_STRINGS = {
    "tag value": '  tags = { note = "# dynaguard:ignore DDB.002 a tag value" }',
    "// in a tag value": '  tags = { note = "// dynaguard:ignore DDB.002 a tag value" }',
    "template in a string": '  tags = { note = "${"x"} # dynaguard:ignore DDB.002 in a string" }',
    "heredoc": "  tags = {\n    note = <<EOT\n# dynaguard:ignore DDB.002 heredoc text\nEOT\n  }",
    "indented heredoc": "  tags = {\n    note = <<-EOT\n    # dynaguard:ignore DDB.002 x\n"
    "    EOT\n  }",
}


@pytest.mark.parametrize("body", HCL_STRINGS.values(), ids=HCL_STRINGS.keys())
def test_marker_in_an_hcl_string_suppresses_nothing(tmp_path: Path, body: str) -> None:
    result = _scan(tmp_path, "main.tf", TABLE_TF.format(body=body))
    assert status_of(result, "DDB.002", "aws_dynamodb_table.c") == "FAIL"
    assert not result.problems


HCL_COMMENTS = {
    "hash": "  # dynaguard:ignore DDB.002 a real comment",
    "slashes": '  tags = { note = "x" } // dynaguard:ignore DDB.002 a real comment',
    "block": "  /* dynaguard:ignore DDB.002 a real comment */",
    "block on lines": "  /*\n   * dynaguard:ignore DDB.002 a real comment\n   */",
    "after a heredoc": "  tags = {\n    note = <<EOT\n# text\nEOT\n  }\n"
    "  # dynaguard:ignore DDB.002 a real comment",
}


@pytest.mark.parametrize("body", HCL_COMMENTS.values(), ids=HCL_COMMENTS.keys())
def test_marker_in_an_hcl_comment_suppresses(tmp_path: Path, body: str) -> None:
    result = _scan(tmp_path, "main.tf", TABLE_TF.format(body=body))
    table = "aws_dynamodb_table.c"
    assert status_of(result, "DDB.002", table) == "SUPPRESSED"
    finding = next(f for f in result.report.findings if f.control_id == "DDB.002")
    assert finding.suppression == "inline: a real comment"
    assert status_of(result, "DDB.003", table) == "FAIL"  # only the named control


def test_terraform_json_has_no_comments(tmp_path: Path) -> None:
    text = """{"resource": {"aws_dynamodb_table": {"c": {
      "name": "c", "billing_mode": "PAY_PER_REQUEST", "hash_key": "id",
      "attribute": [{"name": "id", "type": "S"}],
      "tags": {"note": "# dynaguard:ignore DDB.002 a JSON string"}}}}}"""
    result = _scan(tmp_path, "main.tf.json", text)
    assert status_of(result, "DDB.002", "aws_dynamodb_table.c") == "FAIL"


YAML_STRINGS = {
    "double quoted": '      Tags: [{Key: note, Value: "# dynaguard:ignore DDB.002 a value"}]',
    "single quoted": "      Tags:\n        - Key: note\n          Value: 'x # dynaguard:ignore DDB.002 y'",
    "multi-line quoted": '      Tags:\n        - Key: note\n          Value: "first line\n'
    '            # dynaguard:ignore DDB.002 second line"',
    "block scalar": "      Tags:\n        - Key: note\n          Value: |\n"
    "            # dynaguard:ignore DDB.002 block text",
    "plain scalar": "      Tags: [{Key: note, Value: a#dynaguard:ignore}]",
}


@pytest.mark.parametrize("body", YAML_STRINGS.values(), ids=YAML_STRINGS.keys())
def test_marker_in_a_yaml_string_suppresses_nothing(tmp_path: Path, body: str) -> None:
    result = _scan(tmp_path, "t.yaml", TABLE_CFN.format(above="", body=body))
    assert status_of(result, "DDB.002", "T") == "FAIL"
    assert not result.problems


YAML_COMMENTS = {
    "above": ("  # dynaguard:ignore DDB.002 a real comment", ""),
    "inside": ("", "      # dynaguard:ignore DDB.002 a real comment"),
    "trailing": (
        "",
        '      Tags: [{Key: n, Value: "v"}]  # dynaguard:ignore DDB.002 a real comment',
    ),
    "after a block scalar": (
        "",
        "      Tags:\n        - Key: note\n          Value: |\n            text\n"
        "      # dynaguard:ignore DDB.002 a real comment",
    ),
}


@pytest.mark.parametrize(("above", "body"), YAML_COMMENTS.values(), ids=YAML_COMMENTS.keys())
def test_marker_in_a_yaml_comment_suppresses(tmp_path: Path, above: str, body: str) -> None:
    result = _scan(tmp_path, "t.yaml", TABLE_CFN.format(above=above, body=body))
    assert status_of(result, "DDB.002", "T") == "SUPPRESSED"
    assert status_of(result, "DDB.003", "T") == "FAIL"


def test_json_template_has_no_comments(tmp_path: Path) -> None:
    text = """{"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
      "BillingMode": "PAY_PER_REQUEST",
      "Tags": [{"Key": "n", "Value": "# dynaguard:ignore DDB.002 a JSON string"}]}}}}"""
    result = _scan(tmp_path, "t.json", text)
    assert status_of(result, "DDB.002", "T") == "FAIL"


def test_hcl_tokenizer_lines_and_whole_lines() -> None:
    source = (
        '# one\nx = "a # b" // two\ny = <<EOT\n# not\nEOT\n/* three\n four */ z = 1\n'
        'w = "${f("}")} # not"\n'
    )
    comments = hcl_comments(source)
    assert comments.texts == {1: ("one",), 2: ("two",), 6: ("three",), 7: ("four",)}
    assert comments.whole_lines == frozenset({1, 6})  # line 7 holds code after the comment


def test_yaml_tokenizer_lines_and_whole_lines() -> None:
    source = "# one\na: '# no' # two\nb: |\n  # no\nc: x#y\n  # three\n"
    comments = yaml_comments(source)
    assert comments.texts == {1: ("one",), 2: ("two",), 6: ("three",)}
    assert comments.whole_lines == frozenset({1, 6})
