"""Shards (deterministic, stable, balanced, weighted, from batch-engine variables), the findings
spool (sorted, de-duplicated, counted), the config hash, and the streamed JSON writer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter

import pytest

from dynaguard.errors import UsageError
from dynaguard.fingerprint import config_hash
from dynaguard.formats.json_format import render
from dynaguard.formats.json_stream import write_json_lines
from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report
from dynaguard.sources.aws.units import ShardSpec, Unit, shard_from
from dynaguard.spool import FindingSpool, finding_from_dict

UNITS = [Unit(f"{a:012d}", r) for a in range(300) for r in ("us-east-1", "eu-west-1", "global")]


def test_every_unit_is_in_exactly_one_shard() -> None:
    shards = [ShardSpec(k, 7) for k in range(7)]
    for unit in UNITS:
        assert sum(s.owns(unit) for s in shards) == 1


def test_shards_are_balanced_by_count() -> None:
    sizes = [len(ShardSpec(k, 6).owned(UNITS)) for k in range(6)]
    mean = len(UNITS) / 6
    assert all(abs(n - mean) < 0.15 * mean for n in sizes), sizes


def test_the_assignment_is_stable_across_processes() -> None:
    here = [u.key for u in ShardSpec(2, 5).owned(UNITS)]
    code = (
        "from dynaguard.sources.aws.units import ShardSpec, Unit\n"
        "units = [Unit(f'{a:012d}', r) for a in range(300) "
        "for r in ('us-east-1', 'eu-west-1', 'global')]\n"
        "print('\\n'.join(u.key for u in ShardSpec(2, 5).owned(units)))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},  # a different str hash seed: the assignment must not care
    ).stdout.split()
    assert here == there


def test_a_unit_stays_in_its_shard_whatever_else_is_scanned() -> None:
    unit = UNITS[17]
    owner = next(k for k in range(4) if ShardSpec(k, 4).owns(unit))
    assert ShardSpec(owner, 4).owned([unit]) == [unit]
    assert ShardSpec(owner, 4).owns(unit)  # no dependency on the other units


def test_weights_deal_large_units_to_the_lightest_shard() -> None:
    weights = {"000000000001/us-east-1": 100.0, "000000000002/us-east-1": 60.0}
    weights |= {f"0000000000{i:02d}/eu-west-1": 10.0 for i in range(10, 14)}
    loads = []
    for k in range(2):
        spec = ShardSpec(k, 2, weights)
        loads.append(sum(w for key, w in weights.items() if spec.owns(Unit(*key.split("/")))))
    assert sorted(loads) == [100.0, 100.0]  # 100 | 60 + 4 x 10: perfectly even
    unknown = Unit("999999999999", "us-east-1")  # not in the weights: by hash
    assert sum(ShardSpec(k, 2, weights).owns(unknown) for k in range(2)) == 1


@pytest.mark.parametrize(
    ("shard", "shards", "env", "expected"),
    [
        ("1/4", None, {}, (1, 4)),
        (None, 4, {"AWS_BATCH_JOB_ARRAY_INDEX": "3"}, (3, 4)),
        (None, 2, {"JOB_COMPLETION_INDEX": "0"}, (0, 2)),
        (None, None, {"JOB_COMPLETION_INDEX": "1", "DYNAGUARD_SHARDS": "3"}, (1, 3)),
        (None, None, {}, None),
    ],
)
def test_shard_from_options_and_batch_variables(shard, shards, env, expected) -> None:
    assert shard_from(shard, shards, env) == expected


@pytest.mark.parametrize(
    ("shard", "shards", "env", "message"),
    [
        ("1/4", 3, {}, "disagree"),
        (None, None, {"AWS_BATCH_JOB_ARRAY_INDEX": "1"}, "--shards N"),
        (None, 4, {"AWS_BATCH_JOB_ARRAY_INDEX": "x"}, "not a shard index"),
        (None, 4, {}, "without a shard index"),
        ("a/b", None, {}, "expected K/N"),
    ],
)
def test_bad_shard_options(shard, shards, env, message) -> None:
    with pytest.raises(UsageError, match=message):
        shard_from(shard, shards, env)


def finding(account: str, region: str, rid: str, status: Status, sev: Severity) -> Finding:
    return Finding(
        control_id="DDB.003",
        title="deletion protection",
        status=status,
        severity=sev,
        resource_type="table",
        resource_id=rid,
        account_id=account,
        region=region,
        reason="r",
        remediation="fix" if status is Status.FAIL else "",
        resource_arn=f"arn:aws:dynamodb:{region}:{account}:table/{rid}",
    )


def test_spool_sorts_dedups_and_counts() -> None:
    spool = FindingSpool()
    b = finding("222222222222", "us-east-1", "t1", Status.FAIL, Severity.MEDIUM)
    a1 = finding("111111111111", "eu-west-1", "t2", Status.PASS, Severity.MEDIUM)
    a2 = finding("111111111111", "us-east-1", "t3", Status.UNKNOWN, Severity.HIGH)
    spool.add("222222222222", [b])
    spool.add("111111111111", [a2])
    spool.add("111111111111", [a1, a2])  # a2 again (a replica judged from two shards)
    tally = spool.finish()
    out = list(spool.findings())
    assert out == [a1, a2, b]
    assert tally.summary()["FAIL"] == 1 and tally.summary()["UNKNOWN"] == 1
    assert tally.accounts == 2 and tally.resources == 3
    assert tally.exit_code(Severity.LOW) == 1
    assert tally.exit_code(Severity.HIGH) == 3  # the FAIL is below: the UNKNOWN decides
    spool.close()


def test_finding_round_trips_through_json() -> None:
    f = finding("111111111111", "us-east-1", "t", Status.FAIL, Severity.HIGH)
    assert finding_from_dict(json.loads(json.dumps(f.to_dict()))) == f


def test_streamed_json_is_byte_for_byte_the_rendered_report() -> None:
    findings = (
        finding("111111111111", "us-east-1", "t", Status.FAIL, Severity.HIGH),
        finding("111111111111", "us-east-1", "ü", Status.PASS, Severity.HIGH),
    )
    for found in (findings, ()):
        report = Report("run", "aws", found, ("DDB.003",), ("n",), {"x": 1}, "sha256:ab")
        data = report.to_dict()
        rows = data.pop("findings")
        out = io.StringIO()
        lines = (json.dumps(f, ensure_ascii=False) for f in rows)
        assert write_json_lines(data, lines, out) == len(found)
        assert out.getvalue() == render(report)


def test_config_hash_changes_with_config_controls_and_scope() -> None:
    base = config_hash({"pitr": 35, "tags": {"b", "a"}}, ["DDB.002"], {"regions": ["x"]})
    assert base == config_hash({"tags": {"a", "b"}, "pitr": 35}, ["DDB.002"], {"regions": ["x"]})
    assert base != config_hash({"pitr": 30, "tags": {"a", "b"}}, ["DDB.002"], {"regions": ["x"]})
    assert base != config_hash({"pitr": 35, "tags": {"a", "b"}}, ["DDB.003"], {"regions": ["x"]})
    assert base != config_hash({"pitr": 35, "tags": {"a", "b"}}, ["DDB.002"], {"regions": ["y"]})


def test_hash_buckets_are_even_for_many_units() -> None:
    counts = Counter(
        next(k for k in range(10) if ShardSpec(k, 10).owns(Unit(f"{a:012d}", "eu-west-1")))
        for a in range(5000)
    )
    assert max(counts.values()) < 1.1 * 500 and min(counts.values()) > 0.9 * 500
