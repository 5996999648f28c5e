"""The findings JSON written as a stream: the header, then one finding per line.

Byte for byte what ``json_format.render`` writes for the same report, without building the
report (or its text) in memory: an organization's findings come from a spool, one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any


def write_json(header: dict[str, Any], findings: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write the report to ``out``; returns the number of findings written."""
    head = json.dumps(header, indent=2)[:-2]  # without the closing brace
    out.write(head + ',\n  "findings": [')
    count = 0
    for finding in findings:
        out.write(",\n    " if count else "\n    ")
        out.write(json.dumps(finding, ensure_ascii=False))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count
