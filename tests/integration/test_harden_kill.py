"""A harden run killed with SIGKILL midway converges when started again, and its journal
shows what it had done. Its own module: it needs a fleet nobody hardened yet."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dynaguard.cli.main import run
from dynaguard.emulator.proxy import FaultProxy
from tests.remediation.conftest import ENV, write_demo_config
from tests.remediation.conftest import _offline as _offline  # noqa: PLC0414 - fixture
from tests.remediation.conftest import fleet as fresh_fleet  # noqa: F401 - overrides "fleet"


def _journal_lines(state: Path) -> list[dict]:
    lines = []
    for path in (state / "runs").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):  # a line cut by the kill
                lines.append(json.loads(line))
    return lines


def test_killed_run_converges_when_started_again(fleet, tmp_path, capsys):
    config = write_demo_config(tmp_path / "c.yaml")
    state = tmp_path / "state"
    args = [
        "harden",
        "--region",
        "us-east-1",
        "--config",
        config,
        "--state-dir",
        str(state),
        "--yes",
        "--poll-interval",
        "0.01",
        "--create-key",
    ]
    env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    with FaultProxy(fleet.url, delay_ms=60) as slow:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dynaguard.cli.main", *args, "--endpoint-url", slow],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if sum(1 for e in _journal_lines(state) if e["event"] == "done") >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    killed = _journal_lines(state)
    done = [e for e in killed if e["event"] == "done"]
    assert done and not any(e["event"] == "finished" for e in killed)

    assert run([*args, "--endpoint-url", fleet.url, "--format", "json"]) == 0
    capsys.readouterr()
    assert run([*args, "--endpoint-url", fleet.url, "--dry-run", "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["plan"]["changes"] == []  # converged: nothing left to do
    assert run(["runs", "--state-dir", str(state), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["finished"] for r in runs].count(False) == 1  # the killed one, with what it did
    assert any(r["done"] >= 2 and not r["finished"] for r in runs)
