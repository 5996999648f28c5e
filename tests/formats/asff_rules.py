"""The ASFF field rules, as AWS documents them, checked on a finding object.

Required attributes and their types: https://docs.aws.amazon.com/securityhub/latest/userguide/
asff-required-attributes.html; Types taxonomy: asff-type-taxonomy.html; Resources: up to 32;
Compliance.RelatedRequirements: up to 32; Severity.Label: INFORMATIONAL | LOW | MEDIUM | HIGH |
CRITICAL; timestamps RFC 3339; AwsAccountId 12 digits; Id up to 512 characters; Title up to
256; Description up to 1024; Remediation.Recommendation.Text up to 512; ProductFields up to
50 pairs, keys up to 128, values up to 2048; every string a NonEmptyString (pattern ``.*\\S.*``,
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html), lengths
in UTF-16 code units; a finding at most 240 KB. Ours on top: no control, C1, bidi or lone
surrogate character in any string (a console or SIEM shows them; a strict JSON parser refuses a
lone surrogate).
"""

from __future__ import annotations

import json
import re

REQUIRED = {
    "SchemaVersion": str,
    "Id": str,
    "ProductArn": str,
    "GeneratorId": str,
    "AwsAccountId": str,
    "Types": list,
    "CreatedAt": str,
    "UpdatedAt": str,
    "Severity": dict,
    "Title": str,
    "Description": str,
    "Resources": list,
}
TYPE_NAMESPACES = {
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
}
LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
COMPLIANCE = {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
WORKFLOW = {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
LIMITS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}
PRODUCT_ARN = re.compile(r"arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default")


def problems(finding: dict) -> list[str]:
    out = []
    for key, kind in REQUIRED.items():
        if not isinstance(finding.get(key), kind):
            out.append(f"{key}: missing or not {kind.__name__}")
    if out:
        return out
    if finding["SchemaVersion"] != "2018-10-08":
        out.append("SchemaVersion")
    if not 1 <= len(finding["Id"]) <= 512:
        out.append("Id length")
    if not re.fullmatch(r"\d{12}", finding["AwsAccountId"]):
        out.append("AwsAccountId")
    if not PRODUCT_ARN.fullmatch(finding["ProductArn"]):
        out.append("ProductArn")
    elif finding["ProductArn"].split(":")[4] != finding["AwsAccountId"]:
        out.append("ProductArn account")
    if not 1 <= len(finding["Types"]) <= 50:
        out.append("Types count")
    for t in finding["Types"]:
        parts = t.split("/")
        if parts[0] not in TYPE_NAMESPACES or len(parts) > 3:
            out.append(f"Types {t!r}")
    for key in ("CreatedAt", "UpdatedAt"):
        if not RFC3339.fullmatch(finding[key]):
            out.append(key)
    if finding["Severity"].get("Label") not in LABELS:
        out.append("Severity.Label")
    if not 1 <= len(finding["Title"]) <= 256:
        out.append("Title length")
    if not 1 <= len(finding["Description"]) <= 1024:
        out.append("Description length")
    if not 1 <= len(finding["Resources"]) <= 32:
        out.append("Resources count")
    for r in finding["Resources"]:
        if not (isinstance(r.get("Type"), str) and isinstance(r.get("Id"), str) and r["Id"]):
            out.append("Resources[].Type/Id")
        if r.get("Partition", "aws") not in ("aws", "aws-cn", "aws-us-gov"):
            out.append("Resources[].Partition")
    compliance = finding.get("Compliance", {})
    if compliance and compliance.get("Status") not in COMPLIANCE:
        out.append("Compliance.Status")
    if len(compliance.get("RelatedRequirements", [])) > 32:
        out.append("RelatedRequirements count")
    text = finding.get("Remediation", {}).get("Recommendation", {}).get("Text", "")
    if len(text) > 512:
        out.append("Remediation text length")
    if "Workflow" in finding and finding["Workflow"].get("Status") not in WORKFLOW:
        out.append("Workflow.Status")
    if finding.get("RecordState", "ACTIVE") not in ("ACTIVE", "ARCHIVED"):
        out.append("RecordState")
    fields = finding.get("ProductFields", {})
    if len(fields) > 50 or not all(isinstance(v, str) for v in fields.values()):
        out.append("ProductFields")
    return out + _string_problems(finding)


def _string_problems(finding: dict) -> list[str]:
    out = []
    for key, value in finding.get("ProductFields", {}).items():
        if len(key) > 128 or _units(value) > 2048:
            out.append(f"ProductFields {key[:40]!r} length")
    for key, limit in LIMITS.items():
        if _units(finding[key]) > limit:
            out.append(f"{key} UTF-16 length")
    for r in finding["Resources"]:
        for key, value in r.get("Details", {}).get("Other", {}).items():
            if len(key) > 128 or _units(value) > 1024:
                out.append("Details.Other length")
    out += [f"string {s[:40]!r}" for s in strings_in(finding) if not _non_empty_string(s)]
    if len(json.dumps(finding).encode()) > 240 * 1024:
        out.append("finding over 240 KB")
    return out


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _non_empty_string(text: str) -> bool:
    return bool(text.strip()) and UNSAFE.search(text) is None


def strings_in(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings_in(k), *strings_in(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []
