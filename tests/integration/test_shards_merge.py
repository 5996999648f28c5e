"""Shards end to end: several `dynaguard scan --shard K/N` processes against one emulator,
each writing its report to S3, then `dynaguard merge` of the prefix: the same findings, summary
and exit code as one whole scan; reports that do not belong together are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.emulator import Emulator
from dynaguard.emulator.org_fleet import OrgManifest, seed_org
from tests.integration.conftest import ENV, offline_emulator

BUCKET = "dynaguard-reports"
SCOPE = (
    "--org",
    "--role-name",
    "dynaguard-audit",
    "--region",
    "us-east-1",
    "--region",
    "eu-west-1",
)
CONTROLS = ("--controls", "DDB.002,DDB.003,DDB.012,DDB.015")


@dataclass(frozen=True)
class Org:
    emulator: Emulator
    manifest: OrgManifest

    @property
    def url(self) -> str:
        return self.emulator.endpoint_url


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    with offline_emulator() as emulator:
        manifest = seed_org(emulator.endpoint_url, members=3)
        boto3.client("s3", **emulator.client_kwargs()).create_bucket(Bucket=BUCKET)
        yield Org(emulator, manifest)


def cli(org: Org, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``dynaguard`` in its own process (a shard on another machine, as far as it knows)."""
    environ = {**os.environ, **ENV, **(env or {})}
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_BATCH_JOB_ARRAY_INDEX"):
        if k not in (env or {}):
            environ.pop(k, None)
    return subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", *args, "--endpoint-url", org.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )


def finished(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def identities(report: dict) -> list[tuple[str, ...]]:
    return sorted(
        (f["account_id"], f["region"], f["resource_id"], f["control_id"], f["status"])
        for f in report["findings"]
    )


def test_shards_in_parallel_processes_merge_into_the_whole_scan(org: Org, tmp_path: Path) -> None:
    whole = tmp_path / "whole.json"
    whole_code = finished(
        cli(org, "scan", *SCOPE, *CONTROLS, "--format", "json", "--output", str(whole))
    )[0]
    shards = [
        cli(org, "scan", *SCOPE, *CONTROLS, "--shard", "0/3", "--format", "json", "--output",
            f"s3://{BUCKET}/run-1/"),
        cli(org, "scan", *SCOPE, *CONTROLS, "--shards", "3", "--format", "json", "--output",
            f"s3://{BUCKET}/run-1/", env={"AWS_BATCH_JOB_ARRAY_INDEX": "1"}),
        cli(org, "scan", *SCOPE, *CONTROLS, "--shards", "3", "--format", "json", "--output",
            f"s3://{BUCKET}/run-1/", env={"JOB_COMPLETION_INDEX": "2"}),
    ]  # fmt: skip
    results = [finished(p) for p in shards]
    assert all(code in (0, 1, 3) for code, _, _ in results), [r[2] for r in results]
    for k, (_, _, err) in enumerate(results):
        assert f"s3://{BUCKET}/run-1/shard-{k}-of-3.json" in err
    keys = boto3.client("s3", **org.emulator.client_kwargs()).list_objects_v2(
        Bucket=BUCKET, Prefix="run-1/"
    )["Contents"]
    assert sorted(k["Key"] for k in keys) == [f"run-1/shard-{k}-of-3.json" for k in range(3)]

    code, out, err = finished(cli(org, "merge", f"s3://{BUCKET}/run-1/", "--format", "json"))
    merged = json.loads(out)
    reference = json.loads(whole.read_text())
    assert code == whole_code == 1, err
    assert identities(merged) == identities(reference)
    assert merged["summary"] == reference["summary"]
    assert merged["config_hash"] == reference["config_hash"]
    assert "shard" not in merged
    # every shard did a part: no unit twice, none left out
    per_shard = [
        json.loads(
            boto3.client("s3", **org.emulator.client_kwargs())
            .get_object(Bucket=BUCKET, Key=f"run-1/shard-{k}-of-3.json")["Body"]
            .read()
        )
        for k in range(3)
    ]
    units = [{(f["account_id"], f["region"]) for f in r["findings"]} for r in per_shard]
    assert not (units[0] & units[1] or units[0] & units[2] or units[1] & units[2])
    assert units[0] | units[1] | units[2] == {
        (f["account_id"], f["region"]) for f in reference["findings"]
    }


def shard_report(org: Org, tmp_path: Path, k: int, *extra: str) -> Path:
    target = tmp_path / f"s{k}-{'-'.join(extra) or 'base'}.json".replace("/", "_")
    code, _, err = finished(
        cli(org, "scan", *SCOPE, *CONTROLS, "--shard", f"{k}/2", "--format", "json",
            "--output", str(target), *extra)
    )  # fmt: skip
    assert code in (0, 1, 3), err
    return target


def test_merge_refuses_reports_of_different_scans(org: Org, tmp_path: Path, capsys) -> None:
    s0 = shard_report(org, tmp_path, 0)
    s1 = shard_report(org, tmp_path, 1)
    other = tmp_path / "other.json"
    cfg = tmp_path / "c.yaml"
    cfg.write_text("baseline:\n  pitr_min_days: 7\n")
    finished(
        cli(org, "scan", *SCOPE, *CONTROLS, "--shard", "1/2", "--config", str(cfg),
            "--format", "json", "--output", str(other))
    )  # fmt: skip
    assert run(["merge", str(s0), str(other)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "configuration (config_hash)" in err[0] and "other.json" in err[0]

    assert run(["merge", str(s0), str(s0)]) == 2
    assert "shard 0/2 already read" in capsys.readouterr().err

    # a missing shard: reported, and the audit is incomplete (exit 3 when nothing fails)
    assert run(["merge", str(s0), "--format", "json", "--fail-on", "critical"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert any("shard(s) 1/2 missing" in n for n in data["notices"])

    assert run(["merge", str(s0), str(s1), "--fail-on", "critical", "--no-color"]) in (0, 3)
    out = capsys.readouterr().out
    assert "== account " in out  # the terminal report of the merged organization


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"tool": {"name": "other"}}', "not a dynaguard JSON report"),
        ('{"tool": {"name": "dynaguard"}, "findings": []}', "no config_hash"),
        (
            '{"tool": {"name": "dynaguard"}, "config_hash": "sha256:x", "findings": [{"a": 1}]}',
            "findings[0] lacks",
        ),
    ],
)
def test_merge_rejects_bad_input_in_one_line(tmp_path: Path, capsys, content, message) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert run(["merge", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "bad.json" in err[0]
