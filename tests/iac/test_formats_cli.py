"""SARIF (validated against the official 2.1.0 schema), JUnit, the CLI and the pre-commit hook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import yaml

from dynaguard.controls.registry import control_ids
from dynaguard.formats.junit import render as render_junit
from dynaguard.formats.sarif import to_sarif
from dynaguard.iac_scan import IacResult
from tests.iac.conftest import FIXTURES, scan

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
ROOT = Path(__file__).resolve().parents[2]


def _validate(log: dict[str, object]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_sarif_is_valid_with_a_rule_per_control(tf_fail: IacResult, cfn_fail: IacResult) -> None:
    for result in (
        tf_fail,
        cfn_fail,
        scan("terraform", "suppressions"),
        scan("terraform", "unknown"),
    ):
        log = to_sarif(result.report)
        _validate(log)
    run = to_sarif(tf_fail.report)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == control_ids()
    assert all("security-severity" in r["properties"] for r in run["tool"]["driver"]["rules"])


def test_sarif_results_point_at_the_resource_line(tf_fail: IacResult) -> None:
    run = to_sarif(tf_fail.report)["runs"][0]
    plain = [
        r for r in run["results"] if r["message"]["text"].startswith("aws_dynamodb_table.plain:")
    ]
    assert plain
    location = plain[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("terraform/fail/main.tf")
    assert location["region"]["startLine"] == 16
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}


def test_sarif_suppressions_and_unknowns() -> None:
    run = to_sarif(scan("terraform", "suppressions").report)["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert {s["suppressions"][0]["kind"] for s in suppressed} == {"inSource"}
    unknown = to_sarif(scan("terraform", "unknown").report)["runs"][0]["results"]
    assert any(r["kind"] == "review" and r["level"] == "none" for r in unknown)


def test_junit_counts(tf_fail: IacResult) -> None:
    root = ET.fromstring(render_junit(tf_fail.report).split("\n", 1)[1])
    failures = sum(f.status.value == "FAIL" for f in tf_fail.report.findings)
    assert int(root.get("failures", "0")) == failures
    assert int(root.get("tests", "0")) == len(tf_fail.report.findings)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", "iac", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_cli_json_contract_and_exit_codes() -> None:
    failing = _cli(str(FIXTURES / "terraform" / "fail"), "--format", "json")
    assert failing.returncode == 1
    data = json.loads(failing.stdout)
    assert data["source"] == "terraform"
    finding = data["findings"][0]
    assert {"control_id", "status", "severity", "resource_type", "resource_id", "location"} <= set(
        finding
    )
    assert _cli(str(FIXTURES / "terraform" / "pass"), "--format", "json").returncode == 0
    assert _cli(str(FIXTURES / "terraform" / "fail"), "--fail-on", "critical").returncode == 0


def test_cli_reports_a_parse_error_on_one_line_and_exits_3() -> None:
    done = _cli(str(FIXTURES / "terraform" / "broken"), "--controls", "DDB.003", "--format", "json")
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if "bad.tf" in line]
    assert len(lines) == 1 and "bad.tf:3:" in lines[0]


def test_cli_sarif_and_junit(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    done = _cli(str(FIXTURES / "cloudformation" / "fail.yaml"), "--format", "sarif", "-o", str(out))
    assert done.returncode == 1
    _validate(json.loads(out.read_text()))
    junit = _cli(str(FIXTURES / "cloudformation" / "pass.yaml"), "--format", "junit")
    assert junit.returncode == 0 and junit.stdout.startswith("<?xml")


def test_cli_usage_error_for_unknown_control() -> None:
    assert _cli(".", "--controls", "DDB.999").returncode == 2


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert ids["dynaguard-iac"]["entry"] == "dynaguard iac"
    assert {"id", "name", "entry", "language"} <= set(ids["dynaguard-iac"])


def test_provision_emit_output_has_no_fail(tmp_path: Path) -> None:
    """The code `dynaguard provision --emit` writes passes its own audit (no FAIL)."""
    presets = ROOT / "src" / "dynaguard" / "provisioning" / "presets"
    assert presets.is_dir()
    key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    for preset in sorted(p.stem for p in presets.glob("*.yaml")):
        for kind, suffix in (("terraform", "tf"), ("cloudformation", "yaml")):
            out = tmp_path / kind / f"{preset}.{suffix}"
            out.parent.mkdir(exist_ok=True)
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dynaguard.cli.main",
                    "provision",
                    "--preset",
                    preset,
                    "--name",
                    f"{preset}-table",
                    "--region",
                    "eu-west-1",
                    "--kms-key",
                    key,
                    "--alarm-topic",
                    "arn:aws:sns:eu-west-1:123456789012:ops",
                    "--emit",
                    kind,
                    "-o",
                    str(out),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=False,
            )
            assert out.exists(), done.stderr
    audit = _cli(str(tmp_path), "--format", "json")
    data = json.loads(audit.stdout)
    assert data["summary"]["FAIL"] == 0, [f for f in data["findings"] if f["status"] == "FAIL"]
    assert audit.returncode in (0, 3)
