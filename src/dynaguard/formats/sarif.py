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
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

from dynaguard import __version__
from dynaguard.controls.base import Control
from dynaguard.controls.code_fixes import code_fix
from dynaguard.controls.registry import all_controls
from dynaguard.model import Severity, Status
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


_LANGUAGE = {"terraform": "Terraform", "cloudformation": "CloudFormation"}


def rule(
    control: Control, code_kinds: Iterable[str] = (), severity: Severity | None = None
) -> dict[str, Any]:
    """The rule of ``control``. Its help carries the fix to write in each language of code the
    report's findings of that control came from (``code_kinds``), else the general recipe.
    ``severity``: the control's severity in this run (the configuration may change it; GitHub
    shows ``security-severity``), default the catalog's."""
    severity = severity or control.severity
    fixes = [
        (_LANGUAGE[kind], fix)
        for kind in sorted({"terraform" if k == "plan" else k for k in code_kinds})
        if kind in _LANGUAGE and (fix := code_fix(control.id, kind))
    ] or [("", control.remediation)]
    text = "\n\n".join(f"Fix{f' in {lang}' if lang else ''}: {fix}" for lang, fix in fixes)
    markdown = "\n\n".join(
        f"**Fix{f' in {lang}' if lang else ''}:** `{fix}`" for lang, fix in fixes
    )
    frameworks = [f"{k}: {i}" for k, ids in control.frameworks.items() for i in ids]
    return {
        "id": control.id,
        "name": _rule_name(control),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.rationale},
        "help": {
            "text": f"{control.rationale}\n\n{text}",
            "markdown": f"{control.rationale}\n\n{markdown}",
        },
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[severity],
            "tags": ["security", "dynamodb", *frameworks],
            "precision": "high",
        },
    }


def _uri(file: str) -> tuple[str, bool]:
    """(uri, relative to %SRCROOT%?). A file under the working directory (%SRCROOT%) is a
    relative reference with forward slashes; any other an absolute ``file:`` URI. Either way a
    valid URI reference (SARIF 2.1.0 §3.10.3, RFC 3986): every character outside the unreserved
    set is percent-encoded as UTF-8 (a ``<``, a space, a ``%``, a ``:`` that would read as a
    scheme)."""
    cwd = Path.cwd()
    path = Path(file)
    absolute = Path(os.path.normpath(path if path.is_absolute() else cwd / path))
    try:
        relative = Path(os.path.relpath(absolute, cwd)).as_posix()
    except ValueError:  # another drive (Windows)
        relative = "../"
    if relative != ".." and not relative.startswith("../"):
        return _percent_encoded(relative), True
    try:
        return absolute.as_uri(), False
    except ValueError:
        return "file://" + _percent_encoded(absolute.as_posix()), False


def _percent_encoded(path: str) -> str:
    """``path``'s segments percent-encoded (``/`` kept); a name that is not valid Unicode (a
    lone surrogate from an undecodable byte) is encoded as the bytes it came from."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="/")


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
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


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
    if finding.remediation:
        out["properties"]["fix"] = finding.remediation
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
    kinds: dict[str, set[str]] = {}
    severities: dict[str, Severity] = {}  # as configured: the findings carry it
    for finding in report.findings:
        if finding.source is not None and finding.source.is_code and finding.remediation:
            kinds.setdefault(finding.control_id, set()).add(finding.source.value)
        known = severities.get(finding.control_id)
        if known is None or finding.severity.rank > known.rank:
            severities[finding.control_id] = finding.severity
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
                "rules": [rule(c, kinds.get(c.id, ()), severities.get(c.id)) for c in controls],
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
