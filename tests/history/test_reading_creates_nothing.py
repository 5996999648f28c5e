"""Reading commands never create state (QA F14): ``history``, ``diff`` and ``runs`` with a
``--state-dir`` that does not exist say so in one line (exit 2) and create nothing; an
existing directory without a history is "no runs" and stays empty; the default user data dir
is not created by reading either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynaguard.cli.main import run
from dynaguard.history import open_history
from dynaguard.report import Report
from tests.formats.reports import live_report


@pytest.fixture(autouse=True)
def _user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


READERS = [["history"], ["history", "--format", "json"], ["diff"], ["diff", "a", "b"], ["runs"]]


@pytest.mark.parametrize("argv", READERS, ids=" ".join)
def test_missing_state_dir_is_one_line_and_creates_nothing(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo" / "sd"
    assert run([*argv, "--state-dir", str(typo)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"dynaguard {argv[0]}: error: --state-dir {typo}: no such directory\n"
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("explicit", [True, False], ids=["--state-dir", "default"])
def test_no_history_yet_reads_as_empty_and_creates_nothing(
    explicit: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    where = ["--state-dir", str(state)] if explicit else []
    assert run(["history", *where]) == 0
    assert capsys.readouterr().out.startswith("no runs recorded yet")
    assert run(["history", "--format", "json", *where]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(["diff", *where]) == 2
    assert "no runs in the history yet" in capsys.readouterr().err
    assert list(state.iterdir()) == []
    assert not (tmp_path / "home").exists()  # the default user data dir: not created


def test_an_existing_history_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report: Report = live_report()
    with open_history(tmp_path) as store:
        store.record_run(report, command="scan")
    assert run(["history", "--format", "json", "--state-dir", str(tmp_path)]) == 0
    (recorded,) = json.loads(capsys.readouterr().out)
    assert recorded["run_id"] == report.run_id
