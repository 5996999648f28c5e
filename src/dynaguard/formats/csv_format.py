"""CSV for spreadsheets: one row per finding, a fixed header, safe against formula injection.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return before one) as a formula: a table name or a reason quoting a policy could carry
``=HYPERLINK(...)``. Such a value is written with a leading apostrophe, which spreadsheets show
as text (OWASP, https://owasp.org/www-community/attacks/CSV_Injection).

Every cell also goes through ``sanitize.clean`` (newlines and tabs kept, a cell may span
lines): control characters (ESC: a CSV is often ``cat`` to a terminal), C1, bidi overrides and
lone surrogates are written escaped (``\x1b``, ``\ud800``), so the file is valid UTF-8 that
neither a terminal nor a spreadsheet acts on.
"""

from __future__ import annotations

import csv
import io

from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean

COLUMNS = (
    "control_id",
    "title",
    "status",
    "severity",
    "resource_type",
    "resource_id",
    "resource_arn",
    "account_id",
    "region",
    "reason",
    "remediation",
    "evidence",
    "suppression",
)
IAC_COLUMNS = ("file", "line")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell text, inert (``clean``); a value a spreadsheet would evaluate is prefixed
    with ``'``."""
    text = clean("" if value is None else str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _row(finding: Finding, with_location: bool) -> list[str]:
    data = finding.to_dict()
    row = [safe_cell(data.get(col)) for col in COLUMNS]
    if with_location:
        row += [safe_cell(finding.file), safe_cell(finding.line)]
    return row


def render(report: Report) -> str:
    """Header then one row per finding; ``file`` and ``line`` when the report is from code."""
    with_location = report.source != "aws"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS + (IAC_COLUMNS if with_location else ()))
    for finding in report.findings:
        writer.writerow(_row(finding, with_location))
    return buf.getvalue()
