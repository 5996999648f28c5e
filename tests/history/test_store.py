"""The history store: record, list, diff, retention, migration from v1, concurrency, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dynaguard.errors import UsageError
from dynaguard.history import diff_findings, open_history
from dynaguard.history.migrations import LATEST, V1
from dynaguard.history.store import FILE_NAME, finding_from_dict
from dynaguard.model import Status
from tests.formats.reports import finding, live_report

ROOT = Path(__file__).resolve().parents[2]


def run_of(n: int, *findings, scope=None):
    base = live_report()
    return replace(
        base,
        run_id=f"20260101T00000{n}Z-{n:08d}",
        started_at=f"2026-01-01T00:00:0{n}Z",
        findings=tuple(findings) or base.findings,
        scope=scope or base.scope,
    )


def test_record_list_and_read_back(tmp_path):
    with open_history(tmp_path) as store:
        store.record_run(run_of(1), command="scan", config_hash="abc")
        store.record_run(run_of(2), command="scan")
        runs = store.runs()
        assert [r.run_id for r in runs] == [run_of(2).run_id, run_of(1).run_id]
        assert runs[1].config_hash == "abc" and runs[0].command == "scan"
        assert runs[0].summary == live_report().summary()
        stored = store.findings(run_of(1).run_id)
        assert len(stored) == len(live_report().findings)
        assert {finding_from_dict(f) for f in stored} == set(live_report().findings)
        assert store.run(run_of(1).run_id[:18]).run_id == run_of(1).run_id
        with pytest.raises(UsageError, match="ambiguous"):
            store.run("2026")
        with pytest.raises(UsageError, match="no run"):
            store.run("nope")
    assert (tmp_path / FILE_NAME).exists()


def test_diff_lists_new_resolved_and_changed():
    before = [
        finding(resource_id="a", resource_arn=None).to_dict(),  # FAIL -> PASS: resolved
        finding(resource_id="b", resource_arn=None).to_dict(),  # FAIL, reason changes
        finding(resource_id="gone", resource_arn=None).to_dict(),  # FAIL, then gone: resolved
        finding(resource_id="same", resource_arn=None).to_dict(),
    ]
    after = [
        finding(resource_id="a", resource_arn=None, status=Status.PASS, reason="ok").to_dict(),
        finding(resource_id="b", resource_arn=None, reason="window 7 days").to_dict(),
        finding(resource_id="same", resource_arn=None).to_dict(),
        finding(resource_id="fresh", resource_arn=None).to_dict(),  # new FAIL
    ]
    result = diff_findings("A", before, "B", after).to_dict()
    assert [f["resource_id"] for f in result["new"]] == ["fresh"]
    assert sorted(f["resource_id"] for f in result["resolved"]) == ["a", "gone"]
    assert [c["after"]["resource_id"] for c in result["changed"]] == ["b"]
    assert result["unchanged"] == 1
    assert diff_findings("A", before, "A", before).is_empty()


def test_retention_keeps_the_newest_runs_of_a_scope(tmp_path):
    other = {"regions": ["eu-west-1"]}
    with open_history(tmp_path, keep_runs=3) as store:
        for n in range(1, 6):
            store.record_run(run_of(n), command="scan")
        store.record_run(run_of(6, scope=other), command="scan")
        kept = [r.run_id for r in store.runs(run_of(1).scope_key(), limit=50)]
        assert kept == [run_of(n).run_id for n in (5, 4, 3)]
        assert store.findings(run_of(1).run_id) == []  # findings pruned with their run
        assert len(store.runs(limit=50)) == 4  # the other scope is untouched


def test_events_api_for_other_records(tmp_path):
    with open_history(tmp_path) as store:
        first = store.record_event("restore_drill", {"table": "orders", "ok": True}, run_id="r1")
        store.record_event("restore_drill", {"table": "payments", "ok": False})
        store.record_event("something_else", {})
        drills = store.events("restore_drill")
        assert [d["data"]["table"] for d in drills] == ["payments", "orders"]
        assert drills[1]["event_id"] == first and drills[1]["run_id"] == "r1"


def test_upgrade_from_schema_v1_keeps_the_runs(tmp_path):
    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.execute(
        "INSERT INTO runs VALUES ('old-run', '2025-01-01T00:00:00Z', 'aws', 'aws:{}', '{}', "
        "'default', '[]', '0.0.9', ?)",
        (json.dumps({"FAIL": 1}),),
    )
    db.execute(
        "INSERT INTO findings VALUES ('old-run', 'k', 'DDB.002', 'FAIL', 'medium', ?)",
        (json.dumps(finding().to_dict()),),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with open_history(tmp_path) as store:
        assert store.schema_version() == LATEST
        old = store.run("old-run")
        assert old.command == "scan" and old.tool_version == "0.0.9"
        assert store.findings("old-run")[0]["control_id"] == "DDB.002"
        store.record_event("restore_drill", {"ok": True})  # the v2 table exists


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.close()
    with pytest.raises(UsageError, match="newer than this dynaguard"):
        open_history(tmp_path)


def test_not_a_database_is_one_clear_error(tmp_path):
    (tmp_path / FILE_NAME).write_text("this is not sqlite" * 100)
    with pytest.raises(UsageError, match="not usable"):
        open_history(tmp_path)


WRITER = """
import sys, time
from dataclasses import replace
from dynaguard.history import open_history
from tests.formats.reports import live_report
state, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = live_report()
with open_history(state, keep_runs=10_000) as store:
    for n in range(count):
        run = replace(base, run_id=f"{tag}-{n:05d}", started_at=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z")
        store.record_run(run, command="scan")
        print(n, flush=True)
"""


def _writer(state: Path, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(state), tag, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_writers_at_once_lose_nothing(tmp_path):
    writers = [_writer(tmp_path, tag, 25) for tag in ("a", "b")]
    for w in writers:
        w.communicate(timeout=120)
        assert w.returncode == 0
    with open_history(tmp_path) as store:
        runs = store.runs(limit=100)
        assert len(runs) == 50
        per_run = len(live_report().findings)
        assert all(len(store.findings(r.run_id)) == per_run for r in runs)
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sigkill_mid_write_leaves_a_consistent_store(tmp_path):
    writer = _writer(tmp_path, "k", 100_000)
    assert writer.stdout is not None
    for _ in range(20):  # let it commit some runs, then kill it mid-stream
        writer.stdout.readline()
    time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    with open_history(tmp_path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = store.runs(limit=100_000)
        assert len(runs) >= 20
        per_run = len(live_report().findings)
        assert all(len(store.findings(r.run_id)) == per_run for r in runs)  # no half run
        store.record_run(run_of(9), command="scan")  # and it still takes writes


def test_diff_text_escapes_controls_from_aws():
    from dynaguard.cli.history import render_diff

    bad = finding(resource_id="x\x1b[31m", reason="r\u202e", resource_arn=None).to_dict()
    text = render_diff(diff_findings("A", [], "B", [bad]))
    assert "\x1b" not in text and "\u202e" not in text and "new (1):" in text
