"""``started_at`` is when the run began, not when its report was built (QA F09): a scan
whose collection takes minutes still reports the minute it started. The clock here is a fake
that moves on as soon as the first AWS call is made, so no test waits on the wall clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dynaguard import engine, fleet_scan, iac_scan
from dynaguard.merge import merge_reports
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from tests.aws.conftest import REGION, create_table

START, LATER = "2026-01-01T00:00:00Z", "2026-01-01T00:09:00Z"


def clock_moving_after_first_call(recorder: CallRecorder) -> Callable[[], str]:
    return lambda: START if recorder.total() == 0 else LATER


def test_scan_started_at_is_before_collection(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    create_table(aws("dynamodb"), "orders")
    recorder = CallRecorder()
    monkeypatch.setattr(engine, "utc_now", clock_moving_after_first_call(recorder), raising=False)
    report = engine.scan(AwsOptions(regions=(REGION,)), controls=["DDB.003"], recorder=recorder)
    assert recorder.total() > 0 and report.findings
    assert report.started_at == START


def test_fleet_scan_started_at_is_before_collection(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(aws("dynamodb"), "orders")
    recorder = CallRecorder()
    monkeypatch.setattr(
        fleet_scan, "utc_now", clock_moving_after_first_call(recorder), raising=False
    )
    result = fleet_scan.scan_fleet(
        AwsOptions(regions=(REGION,)), controls=["DDB.003"], recorder=recorder
    )
    try:
        assert recorder.total() > 0
        assert result.started_at == START
        assert result.header()["started_at"] == START
    finally:
        result.spool.close()


def test_iac_started_at_is_before_reading_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n')
    times = iter([START, LATER, LATER, LATER])
    monkeypatch.setattr(iac_scan, "utc_now", lambda: next(times), raising=False)
    result = iac_scan.scan_iac([tmp_path], controls=["DDB.003"])
    assert result.report.started_at == START


def _shard(path: Path, index: int, started_at: str) -> str:
    report = {
        "tool": {"name": "dynaguard", "version": "1"},
        "run_id": f"run-{index}",
        "source": "aws",
        "started_at": started_at,
        "controls": ["DDB.003"],
        "config_hash": "abc",
        "shard": {"index": index, "count": 2},
        "stats": {},
        "findings": [],
    }
    target = path / f"s{index}.json"
    target.write_text(json.dumps(report))
    return str(target)


def test_merged_report_started_when_its_first_shard_did(tmp_path: Path) -> None:
    inputs = [
        _shard(tmp_path, 0, "2026-01-01T00:05:00Z"),
        _shard(tmp_path, 1, "2026-01-01T00:01:00Z"),
    ]
    result = merge_reports(inputs, "merged")
    try:
        assert result.started_at == "2026-01-01T00:01:00Z"
    finally:
        result.spool.close()
