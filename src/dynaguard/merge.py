"""Merge shard reports into one: findings united, summary recounted, exit code as for scan.

Every input must be a dynaguard JSON scan report of the same tool version, the same
``config_hash`` (configuration + control set + scope) and the same control list: merging
reports that answer different questions would produce a report that answers none, so that is a
usage error naming the file. Two reports of the same shard are an error too (a re-run shard
overwrites its own key; two of them means mixed runs). A shard missing from ``0..N-1`` leaves
the audit incomplete: the merged report says which, and exits 3 when nothing failed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.fleet_scan import SpooledReport
from dynaguard.model import Severity, Status
from dynaguard.report import utc_now
from dynaguard.s3io import is_s3_url, list_keys, parse_s3_url, read_bytes
from dynaguard.spool import FindingSpool

REQUIRED = ("control_id", "status", "severity", "resource_type", "resource_id", "account_id")
STATUSES = frozenset(s.value for s in Status)
SEVERITIES = frozenset(s.value for s in Severity)


@dataclass(frozen=True, slots=True)
class _Input:
    name: str
    data: dict[str, Any]


def read_inputs(inputs: Iterable[str], s3_client: Callable[[], Any]) -> Iterator[_Input]:
    """Each input: a local file, or every ``.json`` object under an S3 prefix (or one key)."""
    for item in inputs:
        if is_s3_url(item):
            location = parse_s3_url(item)
            client = s3_client()
            keys = list_keys(client, location)
            if not keys:
                raise UsageError(f"{item}: no .json report there")
            for key in keys:
                url = f"s3://{location.bucket}/{key}"
                yield _Input(url, _parse(url, read_bytes(client, location.bucket, key)))
        else:
            path = Path(item)
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise UsageError(f"cannot read {item}: {exc.strerror or exc}") from None
            yield _Input(item, _parse(item, raw))


def _parse(name: str, raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"{name}: not JSON ({exc})") from None
    if not isinstance(data, dict) or (data.get("tool") or {}).get("name") != "dynaguard":
        raise UsageError(f"{name}: not a dynaguard JSON report")
    if not isinstance(data.get("findings"), list):
        raise UsageError(f"{name}: no findings list")
    if not data.get("config_hash"):
        raise UsageError(f"{name}: no config_hash (only scan reports of this version merge)")
    return data


def _check_finding(name: str, index: int, finding: Any) -> dict[str, Any]:
    if not isinstance(finding, dict):
        raise UsageError(f"{name}: findings[{index}] is not an object")
    missing = [k for k in REQUIRED if not isinstance(finding.get(k), str)]
    if missing:
        raise UsageError(f"{name}: findings[{index}] lacks {', '.join(missing)}")
    if finding["status"] not in STATUSES or finding["severity"] not in SEVERITIES:
        raise UsageError(f"{name}: findings[{index}] has an unknown status or severity")
    return finding


_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # report.utc_now's form


class _Merger:
    def __init__(self) -> None:
        self.spool = FindingSpool()
        self.first: _Input | None = None
        self.shards: dict[int, str] = {}
        self.count: int | None = None
        self.run_ids: list[str] = []
        self.notices: dict[str, None] = {}
        self.calls: Counter[str] = Counter()
        self.unit_tables: dict[str, int] = {}
        self.elapsed = 0.0
        self.accounts = 0
        self.started: list[str] = []

    def add(self, item: _Input) -> None:
        data = item.data
        self._check_same(item)
        self._check_shard(item)
        self.run_ids.append(str(data.get("run_id", "")))
        started_at = data.get("started_at")
        if isinstance(started_at, str) and _UTC_TIME.fullmatch(started_at):
            self.started.append(started_at)
        self.notices.update(dict.fromkeys(str(n) for n in data.get("notices") or ()))
        stats = data.get("stats") or {}
        for action, n in (stats.get("api_calls") or {}).items():
            self.calls[str(action)] += int(n)
        self.unit_tables.update(stats.get("unit_tables") or {})
        self.elapsed = max(self.elapsed, float(stats.get("elapsed_s") or 0.0))
        self.accounts = max(self.accounts, int(stats.get("accounts") or 0))
        by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i, finding in enumerate(data["findings"]):
            checked = _check_finding(item.name, i, finding)
            by_account[checked["account_id"]].append(checked)
        for account, findings in by_account.items():
            self.spool.add_dicts(account, findings)

    def _check_same(self, item: _Input) -> None:
        if self.first is None:
            self.first = item
            return
        a, b = self.first.data, item.data
        checks = (
            ("dynaguard version", a["tool"].get("version"), b["tool"].get("version")),
            ("source", a.get("source"), b.get("source")),
            ("control set", a.get("controls"), b.get("controls")),
            ("configuration (config_hash)", a.get("config_hash"), b.get("config_hash")),
        )
        for what, left, right in checks:
            if left != right:
                raise UsageError(
                    f"{item.name}: another {what} than {self.first.name} "
                    f"({right!r} vs {left!r}): reports of different scans do not merge"
                )

    def _check_shard(self, item: _Input) -> None:
        shard = item.data.get("shard")
        if shard is None:
            if self.count not in (None, 1):
                raise UsageError(f"{item.name}: a whole-scope report among shards of {self.count}")
            if 0 in self.shards:
                raise UsageError(f"{item.name}: a second whole-scope report ({self.shards[0]})")
            self.count = 1
            self.shards[0] = item.name
            return
        index, count = int(shard.get("index", -1)), int(shard.get("count", 0))
        if self.count not in (None, count):
            raise UsageError(f"{item.name}: shard {index}/{count} among shards of {self.count}")
        self.count = count
        if index in self.shards:
            raise UsageError(
                f"{item.name}: shard {index}/{count} already read from {self.shards[index]}"
            )
        self.shards[index] = item.name

    def result(self, run_id: str) -> SpooledReport:
        if self.first is None:
            raise UsageError("nothing to merge")
        tally = self.spool.finish()
        missing = [i for i in range(self.count or 1) if i not in self.shards]
        notices = list(self.notices)
        if missing:
            notices.append(
                f"incomplete: shard(s) {', '.join(f'{i}/{self.count}' for i in missing)} "
                f"missing; {len(self.shards)} of {self.count} merged"
            )
        stats: dict[str, Any] = {
            "elapsed_s": self.elapsed,
            "tables": sum(self.unit_tables.values()),
            "accounts": self.accounts,
            "units": len(self.unit_tables),
            "api_calls": dict(sorted(self.calls.items())),
            "api_calls_total": sum(self.calls.values()),
            "unit_tables": dict(sorted(self.unit_tables.items())),
            "merged_from": self.run_ids,
        }
        first = self.first.data
        return SpooledReport(
            run_id=run_id,
            source=str(first.get("source")),
            controls=tuple(first.get("controls") or ()),
            notices=tuple(notices),
            stats=stats,
            config_hash=str(first["config_hash"]),
            shard=None,
            spool=self.spool,
            tally=tally,
            incomplete=bool(missing),
            # the merged scan began when its first shard did (ISO 8601 UTC: sorts as text)
            started_at=min(self.started) if self.started else utc_now(),
        )


def merge_reports(
    inputs: Iterable[str], run_id: str, s3_client: Callable[[], Any] | None = None
) -> SpooledReport:
    """One report from shard reports (files, S3 keys or prefixes)."""

    def no_s3() -> Any:
        raise UsageError("S3 inputs need AWS access")

    merger = _Merger()
    try:
        for item in read_inputs(inputs, s3_client or no_s3):
            merger.add(item)
        return merger.result(run_id)
    except BaseException:
        merger.spool.close()
        raise
