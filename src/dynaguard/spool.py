"""Findings spooled to disk as they stream out of a run, read back sorted and de-duplicated.

An organization scan hands on each account's findings as soon as the account is done; holding
them all until the end would make memory grow with the organization. The spool appends each
batch to a temporary file as JSON lines (the findings contract's objects) and keeps only its
offsets. ``finish`` then sorts account by account (one account in memory at a time), drops
duplicates (a global-table replica judged from two shards), counts the summary, and writes the
final order to a second file that the JSON writer streams out. The output is the same whatever
order accounts finished in, and whichever shards scanned them.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import IO, Any

from dynaguard.model import Severity, Status
from dynaguard.report import Finding
from dynaguard.sanitize import json_safe

FINDING_FIELDS = frozenset(f.name for f in fields(Finding))


def finding_key(d: dict[str, Any]) -> tuple[str, ...]:
    """The identity of a finding: one per control per resource (as ``evaluate`` de-duplicates)."""
    location = d.get("location") or {}
    return (
        str(d.get("control_id", "")),
        str(d.get("resource_type", "")),
        str(d.get("resource_arn") or ""),
        f"{d.get('account_id', '')}/{d.get('region', '')}/{d.get('resource_id', '')}",
        str(location.get("file") or ""),
    )


def sort_key(d: dict[str, Any]) -> tuple[str, ...]:
    """The report order: account, region, resource type, resource, control."""
    return (
        str(d.get("account_id", "")),
        str(d.get("region", "")),
        str(d.get("resource_type", "")),
        str(d.get("resource_id", "")),
        str(d.get("control_id", "")),
    )


def finding_from_dict(d: dict[str, Any]) -> Finding:
    """A Finding back from its JSON object (unknown keys ignored, so newer reports read)."""
    kwargs = {k: v for k, v in d.items() if k in FINDING_FIELDS}
    location = d.get("location") or {}
    kwargs["file"] = location.get("file")
    kwargs["line"] = location.get("line")
    kwargs["status"] = Status(d["status"])
    kwargs["severity"] = Severity(d["severity"])
    kwargs.setdefault("title", "")
    kwargs.setdefault("remediation", "")
    return Finding(**kwargs)


@dataclass(frozen=True, slots=True)
class Tally:
    """What the exit code and the summary need, counted without holding the findings."""

    statuses: Counter[str]
    fail_by_severity: Counter[str]
    resources: int
    accounts: int

    def summary(self) -> dict[str, int]:
        return {s.value: self.statuses.get(s.value, 0) for s in Status}

    def exit_code(self, fail_on: Severity = Severity.LOW) -> int:
        """As ``Report.exit_code``: 1 failing at or above ``fail_on``, 3 UNKNOWN, else 0."""
        counts = self.fail_by_severity.items()
        if any(n and Severity(sev).rank >= fail_on.rank for sev, n in counts):
            return 1
        return 3 if self.statuses.get(Status.UNKNOWN.value) else 0


class FindingSpool:
    """Append batches of findings (per account); ``finish`` once; then iterate."""

    def __init__(self) -> None:
        # Lives as long as the spool (closed by ``close``), hence no context manager.
        self._raw: IO[bytes] = tempfile.TemporaryFile(prefix="dynaguard-spool-")  # noqa: SIM115
        self._batches: dict[str, list[tuple[int, int]]] = {}
        self._sorted: IO[bytes] | None = None
        self.tally: Tally | None = None

    def add(self, account_id: str, findings: Iterable[Finding]) -> None:
        self.add_dicts(account_id, (f.to_dict() for f in findings))

    def add_dicts(self, account_id: str, findings: Iterable[dict[str, Any]]) -> None:
        self.add_lines(account_id, (json.dumps(d, ensure_ascii=False) for d in findings))

    def add_lines(self, account_id: str, lines: Iterable[str]) -> None:
        """Findings already serialised as JSON (one object per string, no newline inside)."""
        if self._sorted is not None:
            raise RuntimeError("spool already finished")
        # json_safe: a lone surrogate (a JSON "\ud800" from AWS) cannot be UTF-8; C1 and bidi
        # characters would reach a terminal raw. As \uXXXX escapes: the same data.
        data = b"".join(json_safe(line).encode("utf-8") + b"\n" for line in lines)
        if not data:
            return
        offset = self._raw.seek(0, 2)
        self._raw.write(data)
        self._batches.setdefault(account_id, []).append((offset, len(data)))

    def finish(self) -> Tally:
        """Sort and de-duplicate into the final file; count. Idempotent."""
        if self.tally is not None:
            return self.tally
        out: IO[bytes] = tempfile.TemporaryFile(prefix="dynaguard-report-")  # noqa: SIM115
        statuses: Counter[str] = Counter()
        failing: Counter[str] = Counter()
        resources = 0
        for account in sorted(self._batches):
            rows = {finding_key(d): (d, line) for d, line in self._account_rows(account)}
            seen_resources: set[tuple[str, str, str]] = set()
            for d, line in sorted(rows.values(), key=lambda row: sort_key(row[0])):
                statuses[str(d.get("status"))] += 1
                if d.get("status") == Status.FAIL.value:
                    failing[str(d.get("severity"))] += 1
                seen_resources.add(
                    (str(d.get("region")), str(d.get("resource_type")), str(d.get("resource_id")))
                )
                out.write(line + b"\n")  # as written: no second serialisation
            resources += len(seen_resources)
        self._raw.close()
        out.seek(0)
        self._sorted = out
        self.tally = Tally(statuses, failing, resources, len(self._batches))
        return self.tally

    def dicts(self) -> Iterator[dict[str, Any]]:
        """The findings in report order, one at a time (after ``finish``)."""
        return (json.loads(line) for line in self.lines())

    def lines(self) -> Iterator[str]:
        """Each finding's JSON text (``json.dumps(finding, ensure_ascii=False)``), in order."""
        if self._sorted is None:
            raise RuntimeError("finish the spool first")
        self._sorted.seek(0)
        for line in self._sorted:
            yield line.decode("utf-8").rstrip("\n")

    def findings(self) -> Iterator[Finding]:
        return (finding_from_dict(d) for d in self.dicts())

    def close(self) -> None:
        for handle in (self._raw, self._sorted):
            if handle is not None:
                handle.close()

    def _account_rows(self, account: str) -> Iterator[tuple[dict[str, Any], bytes]]:
        for offset, length in self._batches[account]:
            self._raw.seek(offset)
            for line in self._raw.read(length).splitlines():
                yield json.loads(line), line
