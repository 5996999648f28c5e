"""The findings JSON contract (DESIGN.md): stable field names, add-only."""

from __future__ import annotations

import json

from dynaguard.report import Report
from dynaguard.sanitize import json_safe


def render(report: Report) -> str:
    """Indented JSON, one finding per line: ``json.dumps(indent=...)`` falls back to the
    pure-Python encoder, which took most of the run on reports with thousands of findings."""
    data = report.to_dict()
    findings = data.pop("findings")
    head = json.dumps(data, indent=2)[:-2]  # without the closing brace
    if not findings:
        return head + ',\n  "findings": []\n}\n'
    rows = ",\n".join("    " + json.dumps(f, ensure_ascii=False) for f in findings)
    rows = json_safe(rows)  # C1, bidi and lone surrogates as \uXXXX: same data, inert bytes
    return head + ',\n  "findings": [\n' + rows + "\n  ]\n}\n"
