"""``--output FILE`` is checked before a command does anything (exit 2, one line, nothing
changed), and a write that fails later never loses the result (QA F05)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dynaguard.cli.harden import _emit
from dynaguard.cli.main import run
from dynaguard.cli.output_file import check_output_path, write_or_show
from dynaguard.errors import UsageError


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_check_output_path(tmp_path: Path) -> None:
    check_output_path(str(tmp_path / "new.json"))  # a new file in an existing directory
    (tmp_path / "old.json").write_text("x")
    check_output_path(str(tmp_path / "old.json"))
    check_output_path("s3://bucket/prefix/")  # checked by the upload, not here
    with pytest.raises(UsageError, match="no such directory"):
        check_output_path(str(tmp_path / "missing" / "h.json"))
    with pytest.raises(UsageError, match="is a directory"):
        check_output_path(str(tmp_path))
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="no such directory"):
        check_output_path(str(tmp_path / "file" / "h.json"))


# Each command with --output, given work that would reach an endpoint nobody listens on (or a
# directory to read): the unwritable path is reported before any of it starts.
AWS = ["--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"]
COMMANDS = {
    "scan": ["scan", *AWS, "--no-history"],
    "harden": ["harden", *AWS, "--dry-run"],
    "harden --yes": ["harden", *AWS, "--yes", "--format", "json"],
    "iac": ["iac", ".", "--no-history"],
    "drill": ["drill", "orders", *AWS[:2], "--dry-run"],
    "merge": ["merge", "nosuch.json"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_unwritable_output_is_exit_2_before_any_work(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "out.json"
    assert run([*COMMANDS[name], "--output", str(target)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"cannot write {target}: no such directory" in lines[0]
    assert not target.parent.exists()


def test_a_failed_write_puts_the_result_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "gone" / "h.json"  # the directory went away after the check
    assert write_or_show('{"applied": 3}\n', str(target), "dynaguard harden") is False
    out, err = capsys.readouterr()
    assert out == '{"applied": 3}\n'
    assert err.startswith(f"dynaguard harden: error: cannot write {target}: ")
    assert err.rstrip().endswith("the result follows on stdout")


def test_harden_result_is_not_lost_when_the_write_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(output=str(tmp_path / "gone" / "h.json"))
    _emit("summary: 1 applied\n", args)
    out, err = capsys.readouterr()
    assert out == "summary: 1 applied\n"
    assert "cannot write" in err and "Traceback" not in err
    args = argparse.Namespace(output=str(tmp_path / "h.txt"))
    _emit("summary: 1 applied\n", args)
    assert (tmp_path / "h.txt").read_text() == "summary: 1 applied\n"
    assert capsys.readouterr().out == ""
