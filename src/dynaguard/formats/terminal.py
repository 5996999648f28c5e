"""A readable terminal report: findings grouped by resource, coloured, with a fix per FAIL."""

from __future__ import annotations

import io
import shutil
from collections import defaultdict

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from dynaguard.controls.base import Status
from dynaguard.report import Finding, Report

STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.UNKNOWN: "yellow",
    Status.NOT_APPLICABLE: "dim",
    Status.SUPPRESSED: "magenta",
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


def render(
    report: Report, *, color: bool = False, show_passed: bool = False, width: int | None = None
) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width or (_terminal_width() if color else 120),
        highlight=False,
        soft_wrap=False,
    )
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
                Text(f.status.value, style=STYLE[f.status]), f.control_id, f.severity.value, detail
            )
        console.print(table)
        if passed and not show_passed:
            console.print(Text(f"  + {passed} passing", style="green"))
        console.print()
    for notice in report.notices:
        console.print(Text(f"note: {notice}", style="yellow"))
    console.print(_summary_line(report))
    # rich pads table cells to the column width; trailing blanks only add noise to files/diffs
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _summary_line(report: Report) -> Text:
    s = report.summary()
    resources = len(
        {(f.account_id, f.region, f.resource_type, f.resource_id) for f in report.findings}
    )
    accounts = ""
    if report.source == "aws":
        count = len({f.account_id for f in report.findings})
        accounts = f" in {count} account{'s' if count != 1 else ''}"
    text = Text(f"{resources} resources{accounts}, {len(report.controls)} controls: ")
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
