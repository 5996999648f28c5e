"""QA F08: a resource name with control characters (ESC) from a .tf file reaches the terminal
report raw (colour / OSC-8 injection) and makes the JUnit XML not well-formed."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.qa.conftest import cli

HCL = (
    'resource "aws_dynamodb_table" "v\x1b[31mred" {\n'
    '  name = "x"\n  hash_key = "id"\n  billing_mode = "PAY_PER_REQUEST"\n'
    '  attribute {\n    name = "id"\n    type = "S"\n  }\n}\n'
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    (tmp_path / "esc.tf").write_text(HCL)
    return tmp_path


def test_junit_is_well_formed(hostile: Path) -> None:
    result = cli("iac", str(hostile), "--no-history", "--format", "junit")
    ET.fromstring(result.stdout)


def test_terminal_report_has_no_raw_escape(hostile: Path) -> None:
    result = cli("iac", str(hostile), "--no-history")
    assert "aws_dynamodb_table" in result.stdout
    assert "\x1b" not in result.stdout
