"""QA F11: ``# dynaguard:ignore DDB.001,DDB.013 reason`` suppressed only the first id (with
``,DDB.013 ...`` as its reason), and an id that is no control was accepted silently. Every
listed id is suppressed with the whole reason; a name that is not a control is a problem line
naming file:line, and the comment is not applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import scan_iac
from tests.iac.conftest import status_of
from tests.qa.conftest import cli

HCL = """{comment}
resource "aws_dynamodb_table" "t" {{
  name         = "t"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
}}
"""

CFN = """Resources:
  {comment}
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      BillingMode: PAY_PER_REQUEST
"""

FILES = {"main.tf": (HCL, "aws_dynamodb_table.t"), "t.yaml": (CFN, "T")}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("ids", ["DDB.002,DDB.003", "DDB.002, ddb.003", "DDB.002 ,DDB.003"])
def test_every_listed_id_is_suppressed_with_the_whole_reason(
    tmp_path: Path, name: str, ids: str
) -> None:
    text, resource = FILES[name]
    comment = f"# dynaguard:ignore {ids} a scratch table, dropped nightly"
    (tmp_path / name).write_text(text.format(comment=comment))
    result = scan_iac([tmp_path], controls=["DDB.002", "DDB.003", "DDB.013"])
    assert not result.problems
    for control in ("DDB.002", "DDB.003"):
        assert status_of(result, control, resource) == "SUPPRESSED"
        finding = next(f for f in result.report.findings if f.control_id == control)
        assert finding.suppression == "inline: a scratch table, dropped nightly"
    assert status_of(result, "DDB.013", resource) == "FAIL"


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize(
    ("ids", "named"),
    [("DDB.099", "'DDB.099'"), ("DDB.002,DDB.099", "'DDB.099'"), ("DDB.2", "'DDB.2'")],
)
def test_an_id_that_is_no_control_is_reported_and_not_applied(
    tmp_path: Path, name: str, ids: str, named: str
) -> None:
    text, resource = FILES[name]
    (tmp_path / name).write_text(text.format(comment=f"# dynaguard:ignore {ids} some reason"))
    result = scan_iac([tmp_path], controls=["DDB.002"])
    assert status_of(result, "DDB.002", resource) == "FAIL"
    [problem] = result.problems
    assert problem.file.endswith(name) and problem.line in (1, 2)
    assert f"names {named}, not a control" in problem.message
    assert problem.message.endswith("not applied")


def test_the_cli_names_file_and_line_and_exits_3(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(HCL.format(comment="# dynaguard:ignore DDB.099 no such"))
    result = cli("iac", str(tmp_path), "--no-history", "--controls", "DDB.004")
    assert (
        result.returncode == 3
    )  # nothing failed (on-demand: no autoscaling), the comment was not understood
    assert "main.tf:1: inline suppression names 'DDB.099', not a control" in result.stderr
