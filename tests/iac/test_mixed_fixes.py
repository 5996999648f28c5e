"""A folder with Terraform and CloudFormation together (or Terraform with its plan): every
finding's fix is written in the language of its own file, in JSON, SARIF and JUnit alike."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

from dynaguard.formats.junit import render as render_junit
from dynaguard.formats.sarif import to_sarif
from dynaguard.iac_scan import scan_iac
from tests.iac.conftest import FIXTURES, TAGGED

TF_FIX = "point_in_time_recovery {"
CFN_FIX = "PointInTimeRecoverySpecification: {"


def mixed(tmp_path: Path, *, plan: bool = False) -> Path:
    folder = tmp_path / "infra"
    shutil.copytree(FIXTURES / "terraform" / "fail", folder)
    if plan:
        shutil.copy(FIXTURES / "plan" / "fail.json", folder / "plan.json")
    else:
        shutil.copy(FIXTURES / "cloudformation" / "fail.yaml", folder / "stack.yaml")
    return folder


def test_each_finding_gets_the_fix_of_its_own_file(tmp_path: Path) -> None:
    report = scan_iac([mixed(tmp_path)], config=TAGGED).report
    pitr = [f for f in report.findings if f.control_id == "DDB.002" and f.status.value == "FAIL"]
    by_file = {Path(f.file or "").suffix for f in pitr}
    assert by_file == {".tf", ".yaml"}, by_file
    for finding in pitr:
        expected = TF_FIX if finding.file and finding.file.endswith(".tf") else CFN_FIX
        assert finding.remediation.startswith(expected), (finding.file, finding.remediation)
        assert "aws dynamodb" not in finding.remediation

    help_text = next(
        r["help"]["text"]
        for r in to_sarif(report)["runs"][0]["tool"]["driver"]["rules"]
        if r["id"] == "DDB.002"
    )
    assert f"Fix in CloudFormation: {CFN_FIX}" in help_text
    assert f"Fix in Terraform: {TF_FIX}" in help_text
    assert "aws dynamodb" not in help_text

    bodies = [
        node.text or ""
        for node in ET.fromstring(render_junit(report)).iter("failure")
        if "DDB.002" in (node.get("message") or "") or "recovery" in (node.get("message") or "")
    ]
    assert any(TF_FIX in b for b in bodies) and any(CFN_FIX in b for b in bodies)


def test_terraform_with_its_plan_is_terraform_everywhere(tmp_path: Path) -> None:
    report = scan_iac([mixed(tmp_path, plan=True)], config=TAGGED).report
    fails = [f for f in report.findings if f.control_id == "DDB.002" and f.status.value == "FAIL"]
    assert {Path(f.file or "").suffix for f in fails} == {".tf", ".json"}
    assert all(f.remediation.startswith(TF_FIX) for f in fails)
