"""OCSF Compliance Finding events (class_uid 2003, category Findings), a JSON list: what Amazon
Security Lake and other OCSF consumers ingest.

Schema: https://schema.ocsf.io/1.3.0/classes/compliance_finding (events/findings/
compliance_finding.json extends finding.json extends base_event.json). Required there:
``activity_id``, ``category_uid``, ``class_uid``, ``type_uid``, ``severity_id``, ``time``,
``metadata`` (``product``, ``version``), ``finding_info`` (``uid``, ``title``) and ``compliance``
(``standards``); with the cloud profile, ``cloud.provider``.

Every string of an event passes through ``sanitize.clean``: control, C1 and bidi characters and
lone surrogates from a name, tag or policy are shown escaped (``\\x1b``, ``\\ud800``), newlines
kept. A strict JSON reader (a lone ``\\ud800`` escape is an error for many) and whatever shows
the event later get valid, inert Unicode text with the information still in it. The schema sets
no length limits on strings, so none are cut.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dynaguard import __version__
from dynaguard.controls.frameworks import frameworks_of
from dynaguard.formats.asff import finding_id
from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean, json_safe

OCSF_VERSION = "1.3.0"
CATEGORY_FINDINGS = 2
CLASS_COMPLIANCE_FINDING = 2003
ACTIVITY_CREATE = 1
SEVERITY_ID = {Severity.LOW: 2, Severity.MEDIUM: 3, Severity.HIGH: 4, Severity.CRITICAL: 5}
SEVERITY_INFORMATIONAL = 1
# compliance.status_id: 1 Pass, 2 Warning (no result: missing information), 3 Fail, 99 Other
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.SUPPRESSED: (3, "Fail"),
    Status.UNKNOWN: (2, "Warning"),
    Status.NOT_APPLICABLE: (99, "Not applicable"),
}
# finding status_id: 1 New, 3 Suppressed, 4 Resolved
FINDING_STATUS = {Status.SUPPRESSED: (3, "Suppressed"), Status.PASS: (4, "Resolved")}
RESOURCE_TYPES = {
    "table": "AWS::DynamoDB::Table",
    "replica": "AWS::DynamoDB::Table",
    "dax_cluster": "AWS::DAX::Cluster",
    "vpc": "AWS::EC2::VPC",
    "kms_key": "AWS::KMS::Key",
    "iam_policy": "AWS::IAM::Policy",
}


def _epoch_ms(timestamp: str) -> int:
    when = dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)


def to_ocsf(finding: Finding, time_ms: int) -> dict[str, Any]:
    passed = finding.status is Status.PASS
    severity_id = SEVERITY_INFORMATIONAL if passed else SEVERITY_ID[finding.severity]
    status_id, status = COMPLIANCE_STATUS[finding.status]
    finding_status_id, finding_status = FINDING_STATUS.get(finding.status, (1, "New"))
    mappings = frameworks_of(finding.control_id)
    resource: dict[str, Any] = {
        "uid": finding.resource_arn or finding.resource_id,
        "name": finding.resource_id,
        "type": RESOURCE_TYPES.get(finding.resource_type, finding.resource_type),
        "cloud_partition": "aws",
    }
    if finding.region:
        resource["region"] = finding.region
    cloud: dict[str, Any] = {"provider": "AWS"}
    if finding.region and finding.region != "global":
        cloud["region"] = finding.region
    if finding.account_id:
        cloud["account"] = {"uid": finding.account_id, "type": "AWS Account", "type_id": 10}
    event: dict[str, Any] = {
        "category_uid": CATEGORY_FINDINGS,
        "category_name": "Findings",
        "class_uid": CLASS_COMPLIANCE_FINDING,
        "class_name": "Compliance Finding",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": CLASS_COMPLIANCE_FINDING * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": "Informational" if passed else finding.severity.value.capitalize(),
        "status_id": finding_status_id,
        "status": finding_status,
        "time": time_ms,
        "message": finding.reason,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {"name": "dynaguard", "vendor_name": "dynaguard", "version": __version__},
        },
        "finding_info": {
            "uid": finding_id(finding),
            "title": f"{finding.control_id} {finding.title}",
            "desc": finding.reason,
            "types": ["Configuration Check"],
        },
        "compliance": {
            "control": finding.control_id,
            "standards": ["dynaguard baseline", *mappings],
            "requirements": [f"{fw}/{i}" for fw, ids in mappings.items() for i in ids],
            "status_id": status_id,
            "status": status,
            "status_detail": finding.reason,
        },
        "resources": [resource],
        "cloud": cloud,
    }
    if finding.remediation:
        event["remediation"] = {"desc": finding.remediation}
    if finding.file:
        event["unmapped"] = {"file": finding.file, "line": finding.line}
    if finding.suppression:
        event["compliance"]["status_detail"] += f" (suppressed: {finding.suppression})"
    return {clean(k): _cleaned(v) for k, v in event.items()}


def _cleaned(value: Any) -> Any:
    """``value`` with every string (keys too) made inert (``clean``)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def render(report: Report) -> str:
    time_ms = _epoch_ms(report.started_at)
    events = [to_ocsf(f, time_ms) for f in report.findings]
    text = json.dumps(events, indent=2, ensure_ascii=False)
    return json_safe(text) + "\n"  # belt and braces: every string is already clean
