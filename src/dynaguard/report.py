"""Report: the data every output format renders. No formatting here."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard import __version__
from dynaguard.exit_codes import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from dynaguard.model import Severity, SourceKind, Status


@dataclass(frozen=True, slots=True)
class Finding:
    control_id: str
    title: str
    status: Status
    severity: Severity
    resource_type: str
    resource_id: str
    account_id: str | None  # None: not known (infrastructure code names no account)
    region: str | None
    reason: str
    remediation: str
    resource_arn: str | None = None
    file: str | None = None
    line: int | None = None
    evidence: str | None = None
    suppression: str | None = None  # the reason a FAIL is SUPPRESSED
    source: SourceKind | None = None  # the kind of source the resource came from

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "control_id": self.control_id,
            "title": self.title,
            "status": self.status.value,
            "severity": self.severity.value,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "resource_arn": self.resource_arn,
            "account_id": self.account_id,
            "region": self.region,
            "reason": self.reason,
            "remediation": self.remediation,
        }
        if self.file is not None:
            out["location"] = {"file": self.file, "line": self.line}
        if self.evidence:
            out["evidence"] = self.evidence
        if self.suppression is not None:
            out["suppression"] = self.suppression
        return out


def utc_now() -> str:
    """ISO 8601 UTC with a ``Z``, to the second: the form ASFF and OCSF consumers expect."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Report:
    run_id: str
    source: str
    findings: tuple[Finding, ...]
    controls: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()  # e.g. expired suppressions, skipped regions
    stats: dict[str, Any] = field(default_factory=dict)
    started_at: str = field(default_factory=utc_now)
    # What was asked for: regions/accounts/filters (scan) or paths (iac). Runs of the same
    # scope are compared by ``dynaguard diff``.
    scope: Mapping[str, Any] = field(default_factory=dict)
    config_path: str | None = None  # the configuration file used, if any
    # Live scans: the hash of config + controls + scope (shards merge only when equal), and
    # which shard of how many this report is (None: the whole scope).
    config_hash: str | None = None
    shard: dict[str, int] | None = None

    def scope_key(self) -> str:
        """A stable text for the scope: the key history groups runs by."""
        return f"{self.source}:" + json.dumps(dict(self.scope), sort_keys=True, default=str)

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.findings)
        return {s.value: counts.get(s.value, 0) for s in Status}

    def failing(self, fail_on: Severity) -> list[Finding]:
        return [
            f for f in self.findings if f.status is Status.FAIL and f.severity.rank >= fail_on.rank
        ]

    def exit_code(self, fail_on: Severity = Severity.LOW) -> int:
        """0 clean; 1 failing at or above ``fail_on``; 3 incomplete (UNKNOWN), nothing failing."""
        if self.failing(fail_on):
            return EXIT_FINDINGS
        if any(f.status is Status.UNKNOWN for f in self.findings):
            return EXIT_INCOMPLETE
        return EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "dynaguard", "version": __version__},
            "run_id": self.run_id,
            "source": self.source,
            "started_at": self.started_at,
            "scope": dict(self.scope),
            "config": self.config_path,
            "summary": self.summary(),
            "controls": list(self.controls),
            "notices": list(self.notices),
            "stats": self.stats,
            **({"config_hash": self.config_hash} if self.config_hash else {}),
            **({"shard": self.shard} if self.shard else {}),
            "findings": [f.to_dict() for f in self.findings],
        }
