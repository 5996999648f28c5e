"""Every usage error, whatever the command and wherever it is found (argparse, an option
checked later, the config file, the output path), is reported in one shape:
``dynaguard <command>: error: ...`` on stderr, exit 2, no traceback (README "Exit codes";
QA F16). Scripts grep for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dynaguard.cli.main import run


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("baseline:\n  encyption: cmk\n")
    (tmp_path / "st").mkdir()


R = ["--region", "us-east-1"]
CASES = {
    "scan: argparse": ["scan", "--fail-on", "never"],
    "scan: --concurrency": ["scan", *R, "--concurrency", "0"],
    "scan: --match": ["scan", *R, "--match", "["],
    "scan: --controls": ["scan", *R, "--controls", "DDB.099"],
    "scan: --region": ["scan", "--region", "us-east-1x"],
    "scan: config": ["scan", *R, "--config", "bad.yaml"],
    "scan: --output": ["scan", *R, "-o", "missing/x.json"],
    "iac: --controls": ["iac", ".", "--controls", "DDB.099"],
    "iac: --var-file": ["iac", ".", "--var-file", "nope.tfvars"],
    "harden: --parallel": ["harden", *R, "--parallel", "0"],
    "harden: --kms-key": ["harden", *R, "--dry-run", "--kms-key", "not a key"],
    "undo: run id": ["undo", "nosuchrun", "--state-dir", "st"],
    "provision: no spec": ["provision", "--name", "x"],
    "history: --limit": ["history", "--limit", "0"],
    "diff: three runs": ["diff", "a", "b", "c", "--state-dir", "st"],
    "merge: missing file": ["merge", "nosuch.json"],
    "drill: --at": ["drill", "orders", *R, "--at", "yesterday"],
    "demo: config": ["demo", "--config", "bad.yaml"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_error_line_names_the_command(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = CASES[case]
    try:
        code = run(argv)
    except SystemExit as exc:  # argparse's own errors exit from parse_args
        code = int(str(exc.code))
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert re.match(rf"dynaguard {argv[0]}: error: \S", first), err
    assert not re.search(r"^dynaguard: error", err, re.M), err
