"""Crash consistency: harden killed (SIGKILL) over and over, at every position of a
representative run, then `undo` of every run, newest first, restores every setting.

One chain of runs against one fleet: each run is a subprocess behind the latency proxy,
killed after its N-th journal line (2: just after its first change was journaled as pending;
3: after that change was done and the next one journaled) plus a short, varying delay, so the
kill lands before a change's first call, between its calls, or after them before it is marked
done. The next run settles what the killed one left pending (reconcile) and goes on; as each
run starts where the last one stopped, the chain walks the kill point over every change of the
representative run (the one planned first), until a run finishes. Then every run is undone,
newest first, and a full snapshot of the fleet's settings must equal the one taken before.

The representative run covers every kind of fix: a key created for a replica region
(--create-key), DDB.001-006, 009, 010, 011, 013, 014, 015, 016, 017, 018.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.emulator.proxy import FaultProxy
from tests.integration.fleet_snapshot import differences, snapshot
from tests.remediation.conftest import ENV
from tests.remediation.conftest import _offline as _offline  # noqa: PLC0414 - fixture
from tests.remediation.conftest import fleet as fresh_fleet  # noqa: F401 - overrides "fleet"

CONFIG = """baseline:
  required_tags: [owner, cost-center]
harden:
  kms_key: {us-east-1: alias/sentinel-cmk, eu-west-1: alias/sentinel-cmk-replica}
  default_tags: {owner: platform-team, cost-center: cc-0000}
  backup_plan: {plan: sentinel-daily}
  ttl_attributes: {sentinel-breakglass: expires_at}
  alarm_topic: TOPIC
  opt_in: [DDB.006, DDB.013, DDB.015]
"""
SELECTION = (
    *("--table", "sentinel-breakglass", "--table", "catalog", "--table", "orders"),
    *("--table", "inventory", "--dax-cluster", "dax-stacked", "--include", "vpc,kms"),
)
# (kill after this many lines of the run's own journal, then wait this many ms), in turn
KILLS = ((2, 30), (3, 0), (3, 40), (2, 0), (3, 90), (3, 15), (2, 60), (3, 150))
MAX_RUNS = 40


def _journal(state: Path, known: set[Path]) -> Path | None:
    found = [p for p in (state / "runs").glob("*.jsonl") if p not in known]
    return found[0] if found else None


def _lines(path: Path | None) -> int:
    return path.read_bytes().count(b"\n") if path is not None and path.exists() else 0


def harden_once(
    url: str, args: list[str], state: Path, kill: tuple[int, int]
) -> tuple[str | None, bool]:
    """One harden run in a subprocess, SIGKILLed once its journal has ``kill[0]`` lines and
    ``kill[1]`` ms have passed. (run id, or None when it had nothing to do; killed or not)."""
    known = set((state / "runs").glob("*.jsonl")) if (state / "runs").exists() else set()
    env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", *args, "--endpoint-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    journal = None
    while proc.poll() is None and time.monotonic() < deadline:
        journal = journal or _journal(state, known)
        if _lines(journal) >= kill[0]:
            time.sleep(kill[1] / 1000)
            break
        time.sleep(0.001)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    journal = journal or _journal(state, known)
    assert killed or proc.returncode == 0, err.decode(errors="replace")
    return (journal.stem if journal else None), killed


def events(state: Path, event: str) -> list[dict]:
    found = []
    for path in (state / "runs").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("event") == event:
                found.append(data)
    return found


def test_undo_of_every_run_after_kills_anywhere_restores_every_setting(fleet, tmp_path):
    config = tmp_path / "c.yaml"
    sns = boto3.client("sns", region_name="us-east-1", endpoint_url=fleet.url)
    topic = sns.create_topic(Name="ops-alarms")["TopicArn"]
    config.write_text(CONFIG.replace("TOPIC", topic))
    state = tmp_path / "state"
    before = snapshot(fleet.url)
    args = [
        "harden",
        *("--region", "us-east-1", "--config", str(config), "--state-dir", str(state)),
        *("--yes", "--create-key", "--parallel", "1", "--poll-interval", "0.01", *SELECTION),
    ]
    runs: list[str] = []
    with FaultProxy(fleet.url, delay_ms=20) as slow:
        for attempt in range(MAX_RUNS):
            run_id, killed = harden_once(slow, args, state, KILLS[attempt % len(KILLS)])
            runs += [run_id] if run_id else []
            if not killed:
                break
        else:
            pytest.fail(f"harden did not converge in {MAX_RUNS} killed runs")
    assert len(runs) > 8, "too few kills to walk the representative run"
    settled = {e["status"] for e in events(state, "reconciled")}
    assert settled == {"recovered", "not_applied"}  # both outcomes of a kill were met
    assert run([*args, "--endpoint-url", fleet.url, "--dry-run"]) == 0  # converged

    common = ["--state-dir", str(state), "--endpoint-url", fleet.url, "--poll-interval", "0.01"]
    for run_id in reversed(runs):
        assert run(["undo", run_id, *common, "--yes", "--allow-unprotect"]) == 0, run_id
    assert differences(before, snapshot(fleet.url)) == []
    assert run(["runs", "--state-dir", str(state), "--endpoint-url", fleet.url]) == 0
