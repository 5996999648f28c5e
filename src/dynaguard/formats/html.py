"""A self-contained HTML report: one file, readable in any browser, no network.

Header (scope, time, run id, version, summary by status and severity), posture charts (by
control, by severity, and the trend over the last runs when a history exists), and a table of
every finding that filters (status, severity, control, account, region, text) and sorts in the
browser. Each finding is a ``<tr class="finding" data-status="...">`` with its reason,
evidence and fix.

Safety: every string from AWS or from a file goes through :func:`html.escape` (quotes too);
the filter values travel as JSON with ``<``, ``>`` and ``&`` escaped, inside a
``type="application/json"`` block the browser never runs; and a Content-Security-Policy allows
no fetch at all and only the report's own script (a per-file nonce), so even an injected
``onerror=`` would not run.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from dynaguard import __version__
from dynaguard.formats import html_charts
from dynaguard.formats.html_assets import CSS, SCRIPT
from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean, json_safe

TrendPoint = tuple[str, str, Mapping[str, int]]  # run id, start time, summary
COLUMNS = (
    ("status", "status"),
    ("severity", "severity"),
    ("control", "control"),
    ("resource", "resource"),
    ("account", "account"),
    ("region", "region"),
    ("reason", "reason, evidence, fix"),
)


def _e(value: object) -> str:
    """Text for the page: control, C1, bidi and surrogate characters shown escaped (``clean``:
    valid UTF-8, and HTML5 allows no C0 control in text), then escaped for markup."""
    return escape(clean("" if value is None else str(value)), quote=True)


def _json_for_script(data: object) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json_safe(json.dumps(data, ensure_ascii=False))  # lone surrogates: not UTF-8
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _scope_text(report: Report) -> str:
    parts = []
    for key, value in sorted(dict(report.scope).items()):
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts) or report.source


def _header(report: Report) -> str:
    summary = report.summary()
    rows = [
        ("scope", _scope_text(report)),
        ("source", report.source),
        ("started", report.started_at),
        ("run id", report.run_id),
        ("dynaguard", __version__),
        ("config", report.config_path or "defaults"),
        ("summary", ", ".join(f"{n} {s}" for s, n in summary.items())),
    ]
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return f"<header><h1>dynaguard report</h1><dl>{items}</dl></header>"


def _cards(report: Report) -> str:
    status = report.summary()
    failing = Counter(f.severity for f in report.findings if f.status is Status.FAIL)
    cards = [f'<div class="card s-{_e(s)}"><b>{status[s]}</b>{_e(s)}</div>' for s in status] + [
        f'<div class="card v-{_e(v.value)}"><b>{failing.get(v, 0)}</b>FAIL {_e(v.value)}</div>'
        for v in reversed(Severity)
    ]
    return f'<section><h2>Summary</h2><div class="cards">{"".join(cards)}</div></section>'


def _charts(report: Report, trend: Sequence[TrendPoint]) -> str:
    figures = [
        ("By control", html_charts.by_control(report.findings)),
        ("By severity", html_charts.by_severity(report.findings)),
    ]
    trend_svg = html_charts.trend(trend)
    if trend_svg:
        figures.append((f"Trend over the last {len(trend)} runs", trend_svg))
    body = "".join(
        f"<figure><figcaption>{_e(title)}</figcaption>{svg}</figure>" for title, svg in figures
    )
    return f'<section><h2>Posture</h2><div class="charts">{body}</div></section>'


def _row(f: Finding) -> str:
    data = {
        "status": f.status.value,
        "severity": f.severity.value,
        "control": f.control_id,
        "resource": f"{f.resource_type} {f.resource_id}",
        "account": f.account_id or "",
        "region": f.region or "",
        "reason": f.reason,
    }
    attrs = " ".join(f'data-{k}="{_e(v)}"' for k, v in data.items())
    where = f"{f.file}:{f.line}" if f.file else (f.resource_arn or "")
    detail = [f'<div class="reason">{_e(f.reason)}</div>']
    if f.evidence:
        detail.append(f'<div class="evidence">evidence: {_e(f.evidence)}</div>')
    if f.suppression:
        detail.append(f'<div class="evidence">suppressed: {_e(f.suppression)}</div>')
    if f.remediation:
        detail.append(f'<pre class="fix">{_e(f.remediation)}</pre>')
    cells = [
        f'<td class="status s-{_e(f.status.value)}">{_e(f.status.value)}</td>',
        f'<td class="v-{_e(f.severity.value)}">{_e(f.severity.value)}</td>',
        f'<td title="{_e(f.title)}">{_e(f.control_id)}</td>',
        f"<td>{_e(f.resource_type)} <b>{_e(f.resource_id)}</b>"
        f'<div class="where">{_e(where)}</div></td>',
        f"<td>{_e(f.account_id or '')}</td>",
        f"<td>{_e(f.region or '')}</td>",
        f"<td>{''.join(detail)}</td>",
    ]
    return f'<tr class="finding" {attrs}>{"".join(cells)}</tr>'


def _filters(report: Report) -> str:
    def values(get: Any) -> list[str]:
        return sorted({v for v in map(get, report.findings) if v})

    data = {
        "status": [s.value for s in Status if any(f.status is s for f in report.findings)],
        "severity": [
            v.value for v in reversed(Severity) if any(f.severity is v for f in report.findings)
        ],
        "control": values(lambda f: f.control_id),
        "account": values(lambda f: f.account_id),
        "region": values(lambda f: f.region),
    }
    selects = "".join(
        f'<label>{_e(name)}<select id="f-{_e(name)}"><option value="">all</option></select></label>'
        for name in data
    )
    text = (
        '<label>text<input id="f-text" type="search" placeholder="resource, reason, ..."></label>'
    )
    return (
        f'<script type="application/json" id="filter-values">{_json_for_script(data)}</script>'
        f'<div class="filters">{selects}{text}</div>'
    )


def _table(report: Report) -> str:
    head = "".join(f'<th data-key="{k}" scope="col">{_e(label)}</th>' for k, label in COLUMNS)
    rows = "\n".join(_row(f) for f in report.findings)
    notices = "".join(f'<p class="notice">note: {_e(n)}</p>' for n in report.notices)
    return (
        f"<section><h2>Findings</h2>{notices}{_filters(report)}"
        f'<p id="count">{len(report.findings)} findings</p>'
        f'<table id="findings"><thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table>'
        "</section>"
    )


def render(report: Report, trend: Sequence[TrendPoint] = ()) -> str:
    """The whole page. ``trend``: earlier runs of the same scope and this one, oldest first."""
    nonce = secrets.token_urlsafe(16)
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>dynaguard report {_e(report.run_id)}</title><style>{CSS}</style></head><body>"
        f"{_header(report)}<main>{_cards(report)}{_charts(report, trend)}{_table(report)}</main>"
        f'<script nonce="{nonce}">{SCRIPT}</script></body></html>\n'
    )
