"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

One rule per control of the catalog (id, title, rationale, fix, ``security-severity`` for
GitHub's severity column). Results: every FAIL (level from the finding's severity), every
SUPPRESSED finding (a FAIL with a ``suppressions`` entry: ``inSource`` for an inline comment,
``external`` for the config file), and every UNKNOWN as ``kind: review`` (the tool could not
decide: a reviewer should). PASS and NOT_APPLICABLE are not results. Each result points at the
resource's file and line; paths are relative to the scanned repository (``%SRCROOT%``).
Specification: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.controls.base import Control, Severity, Status
from dynaguard.controls.registry import all_controls
from dynaguard.report import Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/dynaguard/dynaguard"
_LEVEL = {
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}
_SECURITY_SEVERITY = {
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}


def _rule_name(control: Control) -> str:
    return "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", control.title))


def rule(control: Control) -> dict[str, Any]:
    frameworks = [f"{k}: {i}" for k, ids in control.frameworks.items() for i in ids]
    return {
        "id": control.id,
        "name": _rule_name(control),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.rationale},
        "help": {
            "text": f"{control.rationale}\n\nFix: {control.remediation}",
            "markdown": f"{control.rationale}\n\n**Fix:** `{control.remediation}`",
        },
        "defaultConfiguration": {"level": _LEVEL[control.severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[control.severity],
            "tags": ["security", "dynamodb", *frameworks],
            "precision": "high",
        },
    }


def _uri(file: str) -> tuple[str, bool]:
    """(uri, relative?): repository-relative paths with forward slashes."""
    path = Path(file)
    if path.is_absolute():
        try:
            return Path(os.path.relpath(path)).as_posix(), True
        except ValueError:
            return path.as_uri(), False
    return path.as_posix(), True


def _location(finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {
                "name": finding.resource_id,
                "kind": "resource",
                "fullyQualifiedName": f"{finding.resource_type}:{finding.resource_id}",
            }
        ]
    }
    if finding.file:
        uri, relative = _uri(finding.file)
        artifact: dict[str, Any] = {"uri": uri}
        if relative and not uri.startswith(".."):
            artifact["uriBaseId"] = "%SRCROOT%"
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if finding.line:
            physical["region"] = {"startLine": finding.line}
        location["physicalLocation"] = physical
    return location


def _fingerprint(finding: Finding) -> str:
    key = "|".join(
        (
            finding.control_id,
            finding.resource_type,
            finding.resource_id,
            finding.file or "",
            finding.region or "unknown",  # as before region became None for unknown
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def result(finding: Finding, rule_index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.control_id,
        "ruleIndex": rule_index,
        "message": {"text": f"{finding.resource_id}: {finding.reason}"},
        "locations": [_location(finding)],
        "partialFingerprints": {"dynaguardFinding/v1": _fingerprint(finding)},
        "properties": {
            "status": finding.status.value,
            "severity": finding.severity.value,
            "resourceType": finding.resource_type,
            "region": finding.region,
        },
    }
    if finding.status is Status.UNKNOWN:
        out["kind"], out["level"] = "review", "none"
    else:
        out["kind"], out["level"] = "fail", _LEVEL[finding.severity]
    if finding.status is Status.SUPPRESSED:
        inline = (finding.suppression or "").startswith("inline: ")
        out["suppressions"] = [
            {
                "kind": "inSource" if inline else "external",
                "justification": (finding.suppression or "").removeprefix("inline: "),
            }
        ]
    return out


_REPORTED = (Status.FAIL, Status.SUPPRESSED, Status.UNKNOWN)


def to_sarif(report: Report) -> dict[str, Any]:
    controls = all_controls()
    index = {c.id: i for i, c in enumerate(controls)}
    results = [
        result(f, index[f.control_id])
        for f in report.findings
        if f.status in _REPORTED and f.control_id in index
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dynaguard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule(c) for c in controls],
            }
        },
        "automationDetails": {"id": f"dynaguard/{report.source}/"},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"message": {"text": n}, "level": "warning"} for n in report.notices
                ],
            }
        ],
        "properties": {"runId": report.run_id, "summary": report.summary()},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2) + "\n"
