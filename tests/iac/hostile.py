"""Helpers for the hostile-input tests: write a tree of files, scan it with tight limits."""

from __future__ import annotations

from pathlib import Path

from dynaguard.iac_scan import IacResult, scan_iac
from dynaguard.sources.iac.files import IacLimits
from tests.iac.conftest import TAGGED

# tight enough that a runaway parse fails fast, loose enough for a loaded CI machine
LIMITS = IacLimits(timeout_s=30, memory_mb=400, jobs=2)

TABLE = """resource "aws_dynamodb_table" "{name}" {{
  name         = "{name}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  deletion_protection_enabled = true
}}
"""

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      DeletionProtectionEnabled: true
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def scan_tree(
    root: Path, limits: IacLimits = LIMITS, controls: tuple[str, ...] = ("DDB.003",)
) -> IacResult:
    """Only DDB.003 by default: the fixtures pass it, so a problem alone makes exit 3."""
    return scan_iac([root], config=TAGGED, limits=limits, controls=controls)


def lines(result: IacResult) -> list[str]:
    return [p.describe() for p in result.problems]


def scanned(result: IacResult) -> set[str]:
    """Resource ids that got at least one finding."""
    return {f.resource_id for f in result.report.findings}
