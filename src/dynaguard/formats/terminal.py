"""A readable terminal report: findings grouped by resource, coloured, with a fix per FAIL, and
at the end a summary by severity and by control. ``quiet``: only the failing findings, the
notices and the summary line.
"""

from __future__ import annotations

import io
import shutil
from collections import defaultdict

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean_fields, safe_console

STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.UNKNOWN: "yellow",
    Status.NOT_APPLICABLE: "dim",
    Status.SUPPRESSED: "magenta",
}
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}
ORDER = {
    Status.FAIL: 0,
    Status.UNKNOWN: 1,
    Status.SUPPRESSED: 2,
    Status.PASS: 3,
    Status.NOT_APPLICABLE: 4,
}


def _terminal_width() -> int:
    return max(80, shutil.get_terminal_size((120, 40)).columns)


def _resource_label(f: Finding) -> str:
    where = f"{f.file}:{f.line}" if f.file else f"{f.account_id} {f.region}"
    return f"{f.resource_type} {f.resource_id}  ({where})"


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """``1 resource``, ``2 resources``, ``0 policies`` (``plural_form`` when not ``word + s``)."""
    return f"{count} {word if count == 1 else (plural_form or word + 's')}"


def render(
    report: Report,
    *,
    color: bool = False,
    show_passed: bool = False,
    width: int | None = None,
    quiet: bool = False,
) -> str:
    # every string from AWS or a file, escaped before rich sees it (rich passes ESC, OSC 8, C1
    # and bidi characters through); rich markup is never parsed: data only goes in as Text
    report = clean_fields(report)
    buf = io.StringIO()
    console = safe_console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width or (_terminal_width() if color else 120),
        highlight=False,
        soft_wrap=False,
    )
    if not quiet:
        _render_groups(console, report, show_passed)
    else:
        _render_failing(console, report)
    # notices in the quiet report too: an incomplete merge, an expired suppression, why a
    # verdict is UNKNOWN are not noise one may drop (the exit code may not tell)
    for notice in report.notices:
        console.print(Text(f"note: {notice}", style="yellow"))
    if not quiet:
        _render_summary_tables(console, report)
    if report.config_path and not quiet:
        console.print(Text(f"config: {report.config_path}", style="dim"))
    console.print(_summary_line(report))
    # rich pads table cells to the column width; trailing blanks only add noise to files/diffs
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _render_failing(console: Console, report: Report) -> None:
    """One line per FAIL: the ``--quiet`` report."""
    for f in report.findings:
        if f.status is Status.FAIL:
            line = Text.assemble(
                ("FAIL ", STYLE[Status.FAIL]),
                (f"{f.severity.value:<8} ", SEVERITY_STYLE[f.severity]),
                f"{f.control_id} {f.resource_type} {f.resource_id}: {f.reason}",
            )
            console.print(line)


def _render_groups(console: Console, report: Report, show_passed: bool) -> None:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        groups[_resource_label(f)].append(f)
    by_account = len({f.account_id for f in report.findings}) > 1  # an organization scan
    account = None
    for label, findings in groups.items():
        if by_account and findings[0].account_id != account:
            account = findings[0].account_id
            console.print(Text(f"== account {account} ==", style="bold underline"))
        shown = [
            f
            for f in findings
            if show_passed or f.status not in (Status.PASS, Status.NOT_APPLICABLE)
        ]
        passed = sum(1 for f in findings if f.status is Status.PASS)
        if not shown:
            console.print(
                Text.assemble(
                    ("✔ ", "green"),
                    (label, "bold"),
                    (f"  all {passed} applicable controls pass", "green"),
                )
            )
            continue
        console.print(Text(label, style="bold"))
        table = RichTable(show_header=False, box=None, padding=(0, 1), expand=False)
        table.add_column("status", no_wrap=True)
        table.add_column("control", no_wrap=True)
        table.add_column("sev", no_wrap=True)
        table.add_column("detail", overflow="fold")
        for f in sorted(shown, key=lambda x: (ORDER[x.status], x.control_id)):
            detail = Text(f.reason)
            if f.status is Status.FAIL and f.remediation:
                detail.append(f"\n  fix: {f.remediation}", style="cyan")
            if f.status is Status.SUPPRESSED and f.suppression:
                detail.append(f"\n  suppressed: {f.suppression}", style="magenta")
            table.add_row(
                Text(f.status.value, style=STYLE[f.status]),
                Text(f.control_id),
                Text(f.severity.value, style=SEVERITY_STYLE[f.severity]),
                detail,
            )
        console.print(table)
        if passed and not show_passed:
            console.print(Text(f"  + {passed} passing", style="green"))
        console.print()


def _render_summary_tables(console: Console, report: Report) -> None:
    """Counts by severity (of FAIL and UNKNOWN) and by control: where to start."""
    if not report.findings:
        return
    by_severity = RichTable(title="by severity", title_justify="left", box=None, padding=(0, 1))
    by_severity.add_column("severity")
    for status in (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED, Status.PASS):
        by_severity.add_column(status.value, justify="right")
    for severity in reversed(Severity):
        counts = [
            sum(1 for f in report.findings if f.severity is severity and f.status is status)
            for status in (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED, Status.PASS)
        ]
        if any(counts):
            by_severity.add_row(
                Text(severity.value, style=SEVERITY_STYLE[severity]), *map(str, counts)
            )
    console.print(by_severity)
    by_control = RichTable(title="by control", title_justify="left", box=None, padding=(0, 1))
    for column in ("control", "severity", "FAIL", "UNKNOWN", "PASS", "title"):
        by_control.add_column(column, justify="right" if column.isupper() else "left")
    rows: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        rows[f.control_id].append(f)
    for control_id in sorted(rows):
        found = rows[control_id]
        count = {s: sum(1 for f in found if f.status is s) for s in Status}
        by_control.add_row(
            Text(control_id),
            Text(found[0].severity.value, style=SEVERITY_STYLE[found[0].severity]),
            Text(str(count[Status.FAIL]), style=STYLE[Status.FAIL] if count[Status.FAIL] else ""),
            str(count[Status.UNKNOWN]),
            str(count[Status.PASS]),
            Text(found[0].title),
        )
    console.print(by_control)
    console.print()


def _summary_line(report: Report) -> Text:
    s = report.summary()
    resources = len(
        {(f.account_id, f.region, f.resource_type, f.resource_id) for f in report.findings}
    )
    accounts = ""
    if report.source == "aws":
        accounts = " in " + plural(len({f.account_id for f in report.findings}), "account")
    text = Text(
        f"{plural(resources, 'resource')}{accounts}, {plural(len(report.controls), 'control')}: "
    )
    parts = [
        (Status.FAIL, "failed"),
        (Status.UNKNOWN, "unknown"),
        (Status.PASS, "passed"),
        (Status.SUPPRESSED, "suppressed"),
        (Status.NOT_APPLICABLE, "not applicable"),
    ]
    for i, (status, word) in enumerate(parts):
        if i:
            text.append(", ")
        text.append(f"{s[status.value]} {word}", style=STYLE[status] if s[status.value] else "")
    elapsed = report.stats.get("elapsed_s")
    if elapsed is not None:
        text.append(f"  ({elapsed:.1f} s, run {report.run_id})", style="dim")
    return text
