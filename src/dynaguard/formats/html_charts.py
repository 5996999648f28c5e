"""Inline SVG charts for the HTML report: posture by control and by severity (stacked bars of
FAIL / UNKNOWN / SUPPRESSED / PASS), and the trend of failing findings over the last runs.
Drawn on the server side: no script, no library, no network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from dynaguard.model import Severity, Status
from dynaguard.report import Finding

STACK = (
    (Status.FAIL, "#c62828"),
    (Status.UNKNOWN, "#b26a00"),
    (Status.SUPPRESSED, "#6a1b9a"),
    (Status.PASS, "#2e7d32"),
    (Status.NOT_APPLICABLE, "#9e9e9e"),
)
ROW_H = 18
LABEL_W = 80
BAR_W = 260


def _stacked_rows(rows: Sequence[tuple[str, Mapping[Status, int]]], title: str) -> str:
    """Horizontal stacked bars, one per row label, scaled to the largest row."""
    largest = max((sum(c.values()) for _, c in rows), default=0) or 1
    height = ROW_H * len(rows) + 24
    width = max(LABEL_W + BAR_W + 50, 90 * len(STACK))
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, counts) in enumerate(rows):
        y = i * ROW_H
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(label)}</text>')
        x = float(LABEL_W)
        for status, colour in STACK:
            n = counts.get(status, 0)
            if not n:
                continue
            w = BAR_W * n / largest
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{ROW_H - 4}" '
                f'fill="{colour}"><title>{escape(label)}: {n} {status.value}</title></rect>'
            )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="11">{sum(counts.values())}</text>'
        )
    legend_y = ROW_H * len(rows) + 16
    x = 0
    for status, colour in STACK:
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 13}" y="{legend_y}" font-size="11">{status.value}</text>')
        x += 90
    parts.append("</svg>")
    return "".join(parts)


def _count(findings: Sequence[Finding], key: str) -> dict[str, dict[Status, int]]:
    out: dict[str, dict[Status, int]] = {}
    for f in findings:
        label = f.control_id if key == "control" else f.severity.value
        row = out.setdefault(label, {})
        row[f.status] = row.get(f.status, 0) + 1
    return out


def by_control(findings: Sequence[Finding]) -> str:
    counts = _count(findings, "control")
    return _stacked_rows(sorted(counts.items()), "findings by control")


def by_severity(findings: Sequence[Finding]) -> str:
    counts = _count(findings, "severity")
    rows = [(s.value, counts[s.value]) for s in reversed(Severity) if s.value in counts]
    return _stacked_rows(rows, "findings by severity")


def trend(points: Sequence[tuple[str, str, Mapping[str, int]]]) -> str:
    """FAIL and UNKNOWN counts of the last runs (oldest first): ``(run_id, time, summary)``."""
    if len(points) < 2:
        return ""
    width, height, pad = 420, 140, 28
    top = max(max(p[2].get("FAIL", 0), p[2].get("UNKNOWN", 0)) for p in points) or 1
    step = (width - 2 * pad) / (len(points) - 1)

    def xy(i: int, value: int) -> str:
        return f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * value / top:.1f}"

    parts = [
        f'<svg role="img" aria-label="trend of failing findings" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
        f'<text x="2" y="{pad}" font-size="11">{top}</text>',
    ]
    for status, colour in ((Status.FAIL, "#c62828"), (Status.UNKNOWN, "#b26a00")):
        line = " ".join(xy(i, p[2].get(status.value, 0)) for i, p in enumerate(points))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, p in enumerate(points):
            x, y = xy(i, p[2].get(status.value, 0)).split(",")
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{escape(p[1])} '
                f"{escape(p[0])}: {p[2].get(status.value, 0)} {status.value}</title></circle>"
            )
    parts.append(
        f'<text x="{pad}" y="{height - 8}" font-size="11">{escape(points[0][1][:10])}</text>'
    )
    parts.append(
        f'<text x="{width - pad}" y="{height - 8}" font-size="11" text-anchor="end">'
        f"{escape(points[-1][1][:10])}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
