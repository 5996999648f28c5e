"""The findings JSON contract (DESIGN.md): stable field names, add-only."""

from __future__ import annotations

import json

from dynaguard.report import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"
