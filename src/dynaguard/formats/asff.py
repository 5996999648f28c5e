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
from dynaguard.sanitize import json_safe

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
MAX_TITLE = 256
MAX_DESCRIPTION = 1024
MAX_RECOMMENDATION = 512
MAX_REQUIREMENTS = 32


def product_arn(account_id: str, region: str, partition: str = "aws") -> str:
    """The default product of an account: what it may import its own findings into."""
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _partition(arn: str | None) -> str:
    if arn and arn.startswith("arn:"):
        return arn.split(":")[1] or "aws"
    return "aws"


def finding_id(finding: Finding) -> str:
    """Stable for the same control and resource across runs (and within 512 characters)."""
    resource = finding.resource_arn or (
        f"{finding.account_id}/{finding.region}/{finding.resource_type}/{finding.resource_id}"
    )
    text = f"dynaguard/{finding.control_id}/{resource}"
    if len(text) <= MAX_ID:
        return text
    digest = hashlib.sha256(resource.encode()).hexdigest()
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
        "Id": finding.resource_arn or finding.resource_id,
        "Partition": partition,
        "Region": region,
        "Details": {
            "Other": {"dynaguard/resource_type": finding.resource_type[:1024]},
        },
    }
    data: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(finding),
        "ProductArn": product_arn(account, region, partition),
        "ProductName": PRODUCT_NAME,
        "CompanyName": PRODUCT_NAME,
        "GeneratorId": f"dynaguard/{finding.control_id}",
        "AwsAccountId": account,
        "Types": types,
        "CreatedAt": created_at or timestamp,
        "UpdatedAt": timestamp,
        "Severity": {"Label": label, "Original": finding.severity.value},
        "Title": _clip(f"{finding.control_id} {finding.title}", MAX_TITLE),
        "Description": _clip(finding.reason or finding.title, MAX_DESCRIPTION),
        "Resources": [resource],
        "Compliance": {
            "Status": COMPLIANCE[finding.status],
            "RelatedRequirements": related_requirements(finding.control_id),
        },
        "RecordState": "ACTIVE",
        "ProductFields": {
            "dynaguard/control_id": finding.control_id,
            "dynaguard/status": finding.status.value,
            "dynaguard/version": __version__,
            "dynaguard/scope": scope[:1024],
        },
    }
    if not data["Compliance"]["RelatedRequirements"]:
        del data["Compliance"]["RelatedRequirements"]
    fix = finding.remediation or _control_remediation(finding.control_id)
    if fix:
        data["Remediation"] = {"Recommendation": {"Text": _clip(fix, MAX_RECOMMENDATION)}}
    if finding.status is Status.SUPPRESSED:
        data["Workflow"] = {"Status": "SUPPRESSED"}
        data["ProductFields"]["dynaguard/suppression"] = (finding.suppression or "")[:1024]
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
