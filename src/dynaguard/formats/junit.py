"""JUnit XML for CI test reports: one test suite per control, one test case per finding.

FAIL is a ``<failure>``, UNKNOWN an ``<error>`` (the check could not run to a verdict),
SUPPRESSED and NOT_APPLICABLE are ``<skipped>`` with the reason, PASS is a passing case.
Every string is escaped first (``sanitize.clean_fields``): XML 1.0 cannot hold most control
characters even as references, so an ESC in a tag value would make the file unreadable.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from dynaguard.model import Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean_fields


def _case(suite: ET.Element, finding: Finding) -> None:
    where = (
        f"{finding.file}:{finding.line}"
        if finding.file
        else f"{finding.account_id}/{finding.region}"
    )
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"dynaguard.{finding.control_id}",
            "name": f"{finding.resource_type} {finding.resource_id} ({where})",
            "file": finding.file or "",
            "line": str(finding.line or ""),
        },
    )
    message = f"{finding.title}: {finding.reason}"
    if finding.status is Status.FAIL:
        node = ET.SubElement(case, "failure", {"message": message, "type": finding.severity.value})
        node.text = f"{where}\n{finding.reason}\nFix: {finding.remediation}"
    elif finding.status is Status.UNKNOWN:
        ET.SubElement(case, "error", {"message": message, "type": "UNKNOWN"}).text = where
    elif finding.status is Status.SUPPRESSED:
        ET.SubElement(case, "skipped", {"message": f"suppressed: {finding.suppression}"})
    elif finding.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", {"message": f"not applicable: {finding.reason}"})


def render(report: Report) -> str:
    report = clean_fields(report)
    root = ET.Element("testsuites", {"name": f"dynaguard {report.source}"})
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_control[finding.control_id].append(finding)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for control_id in sorted(by_control):
        findings = by_control[control_id]
        counts = {
            "tests": len(findings),
            "failures": sum(f.status is Status.FAIL for f in findings),
            "errors": sum(f.status is Status.UNKNOWN for f in findings),
            "skipped": sum(
                f.status in (Status.SUPPRESSED, Status.NOT_APPLICABLE) for f in findings
            ),
        }
        for key, value in counts.items():
            totals[key] += value
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{control_id} {findings[0].title}",
                **{k: str(v) for k, v in counts.items()},
            },
        )
        for finding in findings:
            _case(suite, finding)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
