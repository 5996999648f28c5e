"""The findings JSON written as a stream: the header, then one finding per line.

Byte for byte what ``json_format.render`` writes for the same report, without building the
report (or its text) in memory: an organization's findings come from a spool, one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from dynaguard.sanitize import json_safe


def write_json(header: dict[str, Any], findings: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write the report to ``out``; returns the number of findings written."""
    lines = (json_safe(json.dumps(f, ensure_ascii=False)) for f in findings)
    return write_json_lines(header, lines, out)


def write_json_lines(header: dict[str, Any], lines: Iterable[str], out: IO[str]) -> int:
    """The same from findings already serialised (``json.dumps(f, ensure_ascii=False)``)."""
    head = json.dumps(header, indent=2)[:-2]  # without the closing brace
    out.write(head + ',\n  "findings": [')
    count = 0
    for line in lines:
        out.write(",\n    " if count else "\n    ")
        out.write(line)
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count
