"""AWS Security Finding Format (ASFF): a JSON list, one finding object per dynaguard finding.

Field rules: https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
(required: SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId, Types, CreatedAt, UpdatedAt,
Severity, Title, Description, Resources). Findings go to the account's default product
(``product/<account>/default``), the ARN BatchImportFindings accepts from the account itself.

- ``Id`` is stable per control and resource, so a later scan updates the same finding.
- Compliance.Status: PASS -> PASSED, FAIL and SUPPRESSED -> FAILED (a suppressed FAIL also gets
  Workflow SUPPRESSED), UNKNOWN -> WARNING (information is missing), NOT_APPLICABLE ->
  NOT_AVAILABLE. Passing findings carry Severity INFORMATIONAL, as Security Hub's own controls do.
- Compliance.RelatedRequirements: the control's framework mappings (``controls/frameworks.py``).

Names, reasons and policy text come from AWS and may be hostile; one bad finding must not make
Security Hub reject a batch. Every string is a valid ``NonEmptyString`` of the API
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html:
pattern ``.*\\S.*``, length limits counted in UTF-16 code units as the service counts): control,
C1 and bidi characters and lone surrogates shown escaped (``\\x1b``; ``sanitize.clean_line``, or
``clean`` keeping newlines in Description and Recommendation.Text), never blank, and cut to the
documented maximum with a final ``…`` (Title 256, Description 1024, Id and GeneratorId 512,
Recommendation.Text 512, ProductFields values 2048, Details.Other values 1024).
``Resources[].Id`` has no documented maximum; it is held to 512 like ``Id``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from dynaguard import __version__
from dynaguard.controls.frameworks import CONFIG, FSBP, frameworks_of
from dynaguard.errors import UsageError
from dynaguard.model import Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean, clean_line, json_safe

SCHEMA_VERSION = "2018-10-08"
PRODUCT_NAME = "dynaguard"
# https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html
RESOURCE_TYPES = {
    "table": "AwsDynamoDbTable",
    "replica": "AwsDynamoDbTable",
    "vpc": "AwsEc2Vpc",
    "kms_key": "AwsKmsKey",
    "iam_policy": "AwsIamPolicy",
    "dax_cluster": "Other",  # ASFF has no DAX resource type
}
COMPLIANCE = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.SUPPRESSED: "FAILED",
    Status.UNKNOWN: "WARNING",
    Status.NOT_APPLICABLE: "NOT_AVAILABLE",
}
TYPE_BEST_PRACTICES = "Software and Configuration Checks/AWS Security Best Practices"
TYPE_FSBP = (
    "Software and Configuration Checks/Industry and Regulatory Standards/"
    "AWS-Foundational-Security-Best-Practices"
)
MAX_ID = 512
MAX_GENERATOR_ID = 512
MAX_RESOURCE_ID = 512  # not documented; the finding Id's limit
MAX_PRODUCT_FIELD = 2048
MAX_DETAIL_FIELD = 1024
MAX_TITLE = 256
MAX_DESCRIPTION = 1024
MAX_RECOMMENDATION = 512
MAX_REQUIREMENTS = 32


def product_arn(account_id: str, region: str, partition: str = "aws") -> str:
    """The default product of an account: what it may import its own findings into."""
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def utf16_length(text: str) -> int:
    """The length Security Hub checks: UTF-16 code units (a character outside the BMP is 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-16 code units, cut with a final ``…``."""
    if utf16_length(text) <= limit:
        return text
    used = 0
    for end, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit - 1:  # room for the "…"
            return text[:end] + "…"
    return text


def asff_text(value: str | None, limit: int, *, multiline: bool = False) -> str:
    """A valid ``NonEmptyString`` of at most ``limit`` code units: controls, C1, bidi and lone
    surrogates shown escaped (newlines kept when ``multiline``), never empty or blank."""
    text = (clean if multiline else clean_line)(value or "")
    return _clip(text if text.strip() else "-", limit)


def scope_field(scope: str) -> str:
    """``ProductFields["dynaguard/scope"]``, how a later export finds this scope's findings:
    the scope key itself, or its SHA-256 when it is too long for a field value."""
    text = asff_text(scope, MAX_PRODUCT_FIELD)
    if text == scope:
        return text
    return "sha256-" + hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()


PARTITIONS = ("aws", "aws-cn", "aws-us-gov")  # Resources[].Partition: these values only


def _partition(arn: str | None) -> str:
    if arn and arn.startswith("arn:"):
        named = arn.split(":")[1]
        return named if named in PARTITIONS else "aws"
    return "aws"


def finding_id(finding: Finding) -> str:
    """Stable for the same control and resource across runs (and within 512 characters)."""
    resource = finding.resource_arn or (
        f"{finding.account_id}/{finding.region}/{finding.resource_type}/{finding.resource_id}"
    )
    text = clean_line(f"dynaguard/{finding.control_id}/{resource}")
    if utf16_length(text) <= MAX_ID and text.strip() == text:
        return text
    digest = hashlib.sha256(resource.encode("utf-8", "surrogatepass")).hexdigest()
    return f"dynaguard/{finding.control_id}/sha256-{digest}"


def related_requirements(control_id: str) -> list[str]:
    """``<framework>/<id>`` for every mapping but AWS Config (a rule, not a requirement)."""
    out = [
        f"{framework}/{ident}"
        for framework, idents in frameworks_of(control_id).items()
        if framework != CONFIG
        for ident in idents
    ]
    return out[:MAX_REQUIREMENTS]


def import_region(finding: Finding, home_region: str | None) -> str:
    """The region a finding is imported into: its own; IAM findings (global) go home."""
    region = finding.region
    if region and region not in ("global", "unknown"):
        return region
    if home_region:
        return home_region
    raise UsageError(
        f"ASFF needs a region for {finding.control_id} {finding.resource_id}: it has none "
        "(global IAM findings go to the first scanned region)"
    )


def to_asff(
    finding: Finding,
    *,
    timestamp: str,
    home_region: str | None = None,
    scope: str = "",
    created_at: str | None = None,
) -> dict[str, Any]:
    """One ASFF finding. ``created_at`` keeps the first import's time on an update."""
    account = finding.account_id
    if not account or not account.isdigit() or len(account) != 12:
        raise UsageError(
            f"ASFF needs the AWS account of {finding.control_id} {finding.resource_id}: "
            "findings from infrastructure code have none (use json, sarif, csv or ocsf)"
        )
    region = import_region(finding, home_region)
    partition = _partition(finding.resource_arn)
    passed = finding.status is Status.PASS
    label = "INFORMATIONAL" if passed else finding.severity.value.upper()
    types = [TYPE_BEST_PRACTICES]
    if FSBP in frameworks_of(finding.control_id):
        types.append(TYPE_FSBP)
    resource: dict[str, Any] = {
        "Type": RESOURCE_TYPES.get(finding.resource_type, "Other"),
        "Id": asff_text(finding.resource_arn or finding.resource_id, MAX_RESOURCE_ID),
        "Partition": partition,
        "Region": region,
        "Details": {
            "Other": {
                "dynaguard/resource_type": asff_text(finding.resource_type, MAX_DETAIL_FIELD)
            },
        },
    }
    data: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(finding),
        "ProductArn": product_arn(account, region, partition),
        "ProductName": PRODUCT_NAME,
        "CompanyName": PRODUCT_NAME,
        "GeneratorId": asff_text(f"dynaguard/{finding.control_id}", MAX_GENERATOR_ID),
        "AwsAccountId": account,
        "Types": types,
        "CreatedAt": created_at or timestamp,
        "UpdatedAt": timestamp,
        "Severity": {"Label": label, "Original": finding.severity.value},
        "Title": asff_text(f"{finding.control_id} {finding.title}", MAX_TITLE),
        "Description": asff_text(
            finding.reason if finding.reason.strip() else finding.title,
            MAX_DESCRIPTION,
            multiline=True,
        ),
        "Resources": [resource],
        "Compliance": {
            "Status": COMPLIANCE[finding.status],
            "RelatedRequirements": related_requirements(finding.control_id),
        },
        "RecordState": "ACTIVE",
        "ProductFields": {
            "dynaguard/control_id": asff_text(finding.control_id, MAX_PRODUCT_FIELD),
            "dynaguard/status": finding.status.value,
            "dynaguard/version": __version__,
            "dynaguard/scope": scope_field(scope),
        },
    }
    if not data["Compliance"]["RelatedRequirements"]:
        del data["Compliance"]["RelatedRequirements"]
    fix = finding.remediation or _control_remediation(finding.control_id)
    if fix:
        text = asff_text(fix, MAX_RECOMMENDATION, multiline=True)
        data["Remediation"] = {"Recommendation": {"Text": text}}
    if finding.status is Status.SUPPRESSED:
        data["Workflow"] = {"Status": "SUPPRESSED"}
        data["ProductFields"]["dynaguard/suppression"] = asff_text(
            finding.suppression, MAX_PRODUCT_FIELD
        )
    return data


def _control_remediation(control_id: str) -> str:
    from dynaguard.controls.registry import get_control

    try:
        return get_control(control_id).remediation
    except KeyError:
        return ""


def to_asff_list(
    findings: Iterable[Finding], timestamp: str, home_region: str | None, scope: str = ""
) -> list[dict[str, Any]]:
    return [to_asff(f, timestamp=timestamp, home_region=home_region, scope=scope) for f in findings]


def home_region_of(report: Report) -> str | None:
    """Where global findings are imported: the first regional finding's region."""
    for finding in report.findings:
        if finding.region and finding.region not in ("global", "unknown"):
            return finding.region
    regions = report.scope.get("regions") if report.scope else None
    return str(regions[0]) if regions else None


def render(report: Report) -> str:
    items = to_asff_list(
        report.findings, report.started_at, home_region_of(report), report.scope_key()
    )
    # C1, bidi and lone surrogates as \uXXXX: the same data, valid UTF-8, inert in a terminal
    return json_safe(json.dumps(items, indent=2, ensure_ascii=False)) + "\n"
