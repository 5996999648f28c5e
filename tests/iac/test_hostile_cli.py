"""The CLI side of hostile input: one line per problem, printed once, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.iac.conftest import FIXTURES
from tests.iac.hostile import TABLE, write

ONE_TABLE = TABLE.format(name="t")

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", "iac", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_a_parse_error_is_printed_once_in_the_documented_shape() -> None:
    broken = FIXTURES / "terraform" / "broken"
    done = _run(str(broken), "--controls", "DDB.003")
    assert done.returncode == 3
    expected = (
        "dynaguard: tests/iac/fixtures/terraform/broken/bad.tf:3: Invalid expression; Expected "
        "the start of an expression, but found an invalid expression token."
    )
    assert done.stderr.splitlines() == [expected]
    assert "bad.tf" not in done.stdout


def test_machine_formats_keep_the_problem_in_the_report() -> None:
    done = _run(str(FIXTURES / "terraform" / "broken"), "--controls", "DDB.003", "--format", "json")
    assert done.returncode == 3
    notices = json.loads(done.stdout)["notices"]
    assert any("bad.tf:3: Invalid expression" in n for n in notices)
    assert len(done.stderr.splitlines()) == 1


def test_limits_are_options(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": ONE_TABLE + "#" * 2000})
    done = _run(str(tmp_path), "--max-file-size", "0.001", "--jobs", "1", "--parse-timeout", "30")
    assert done.returncode == 3
    assert "above the 1048 bytes limit (--max-file-size)" in done.stderr
    bad = _run(str(tmp_path), "--parse-memory", "0")
    assert bad.returncode == 2 and "must be above 0" in bad.stderr


def test_limits_come_from_the_config_and_options_win(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"code/main.tf": ONE_TABLE + "#" * 2000, "dynaguard.yaml": "iac:\n  max_file_mb: 0.001\n"},
    )
    config = str(tmp_path / "dynaguard.yaml")
    limited = _run(str(tmp_path / "code"), "-c", config, "--no-history")
    assert limited.returncode == 3 and "above the 1048 bytes limit" in limited.stderr
    widened = _run(str(tmp_path / "code"), "-c", config, "--max-file-size", "1", "--no-history")
    assert "above the" not in widened.stderr
    write(tmp_path, {"bad.yaml": "iac:\n  timeout_s: -1\n"})
    bad = _run(str(tmp_path / "code"), "-c", str(tmp_path / "bad.yaml"))
    assert (
        bad.returncode == 2 and "bad.yaml:2: iac.timeout_s: expected a number above 0" in bad.stderr
    )
