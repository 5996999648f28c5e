"""What the README says a user sees: one-line usage errors, --external-id checked, harden
without options it would ignore, --output always says where, config auto-discovery, VPC ARNs,
IaC findings with null account/region."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dynaguard.cli.main import run

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "iac" / "fixtures" / "terraform" / "fail"


def cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--no-such-option"],
        ["scan", "--format", "xml"],
        ["iac", ".", "--format", "asff"],
        ["harden", "--fail-on", "high"],
        ["harden", "--show-passed"],
        ["nonsense"],
    ],
)
def test_usage_errors_are_one_line_on_stderr(args):
    done = cli(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dynaguard") and "error:" in lines[0]
    assert "usage:" not in done.stderr and done.stdout == ""


def test_external_id_is_checked_before_any_call(capsys):
    args = ["scan", "--role-arn", "arn:aws:iam::123456789012:role/audit", "--external-id", "X"]
    assert run([*args, "--region", "us-east-1"]) == 2
    assert "2 to 1224 characters" in capsys.readouterr().err
    assert run(["scan", "--external-id", "abc", "--region", "us-east-1"]) == 2
    assert "--role-arn" in capsys.readouterr().err


def test_every_output_says_where_it_wrote(tmp_path):
    for fmt in ("terminal", "json", "csv", "html"):
        target = tmp_path / f"report.{fmt}"
        done = cli("iac", str(FIXTURE), "--format", fmt, "-o", str(target), "--no-history")
        assert done.returncode == 1
        assert f"wrote {target}" in done.stderr and target.stat().st_size > 0
        assert done.stdout == ""


def test_config_is_found_in_the_current_directory(tmp_path):
    (tmp_path / "main.tf").write_text((FIXTURE / "main.tf").read_text())
    (tmp_path / ".dynaguard.yaml").write_text("controls:\n  DDB.013: {enabled: false}\n")
    done = cli("iac", ".", "--format", "json", "--no-history", cwd=tmp_path)
    data = json.loads(done.stdout)
    assert data["config"] == ".dynaguard.yaml" and "DDB.013" not in data["controls"]
    assert "using the configuration in ./.dynaguard.yaml" in done.stderr
    (tmp_path / "dynaguard.yaml").write_text("controls:\n  DDB.014: {enabled: false}\n")
    terminal = cli("iac", ".", "--no-history", cwd=tmp_path)
    assert "config: dynaguard.yaml" in terminal.stdout  # the report says which file
    explicit = cli(
        "iac", ".", "--format", "json", "--no-history", "--config", ".dynaguard.yaml", cwd=tmp_path
    )
    assert json.loads(explicit.stdout)["config"] == ".dynaguard.yaml"
    assert "using the configuration" not in explicit.stderr


def test_iac_findings_have_null_account_and_region(tmp_path):
    done = cli("iac", str(FIXTURE), "--format", "json", "--no-history")
    findings = json.loads(done.stdout)["findings"]
    assert findings and all(f["account_id"] is None for f in findings)
    assert {f["region"] for f in findings} >= {"us-east-1"}  # known from the provider
    (tmp_path / "t.tf").write_text(
        'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n'
        '  attribute {\n    name = "id"\n    type = "S"\n  }\n}\n'
    )
    done = cli("iac", str(tmp_path), "--format", "json", "--no-history")
    findings = json.loads(done.stdout)["findings"]
    assert findings and all(f["region"] is None and f["account_id"] is None for f in findings)


def test_vpc_findings_carry_the_vpc_arn(fleet, capsys):
    code = run(
        [
            "scan",
            "--endpoint-url",
            fleet.url,
            "--region",
            "us-east-1",
            "--controls",
            "DDB.015",
            "--format",
            "json",
            "--no-history",
        ]
    )
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code in (0, 1) and findings
    for f in findings:
        assert f["resource_arn"] == (
            f"arn:aws:ec2:us-east-1:{f['account_id']}:vpc/{f['resource_id']}"
        )


def test_provision_emit_resolves_the_region_like_every_command(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    target = tmp_path / "t.tf"
    done = cli(
        "provision",
        "--preset",
        "sessions",
        "--name",
        "sessions-prod",
        "--emit",
        "terraform",
        "--output",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    assert 'region = "eu-west-1"' in target.read_text() or "eu-west-1" in target.read_text()
    assert f"to {target}" in done.stderr
