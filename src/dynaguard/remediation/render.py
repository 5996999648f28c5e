"""Terminal rendering of a harden plan and its results (rich tables, no colour when piped)."""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table as RichTable

from dynaguard.cost.plans import render_cost_lines
from dynaguard.remediation.base import Change
from dynaguard.remediation.executor import Outcome
from dynaguard.remediation.planner import HardenPlan
from dynaguard.sanitize import safe_console

MAX_CELL = 60
# arn:aws:kms:us-east-1:123456789012:key/7c87cfe2-0275-... -> key/7c87cfe2…: the status table
# has a column per control; the full ARN is in the list of API calls below it.
_KEY_ARN = re.compile(r"arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/([0-9a-f]{8})[0-9a-f-]*")


# Where the output is not a terminal (a file, a pipe, CI logs) the wide table is kept.
PIPED_WIDTH = 160
KINDS = ("table", "dax_cluster", "vpc", "kms_key", "iam_policy")


def output_width(color: bool) -> int:
    """``COLUMNS`` when set, else the terminal's width when writing to one, else 160."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if color or sys.stdout.isatty():
        return shutil.get_terminal_size((PIPED_WIDTH, 40)).columns
    return PIPED_WIDTH


def _console(buf: io.StringIO, color: bool, width: int | None = None) -> Console:
    return safe_console(  # AWS strings in the plan: no markup, no control characters
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width or output_width(color),
        highlight=False,
    )


def _cell(text: str) -> str:
    """Key ARNs shortened; a long value cut at a word boundary, never inside a word."""
    text = _KEY_ARN.sub(lambda m: f"key/{m.group(1)}…", text)
    if len(text) <= MAX_CELL:
        return text
    cut = text.rfind(" ", 0, MAX_CELL)
    return (text[:cut] if cut > 0 else text[: MAX_CELL - 1]).rstrip(" ,;") + "…"


def _status_table(plan: HardenPlan, kind: str) -> RichTable:
    rows = [r for r in plan.rows if r.resource.kind == kind]
    columns = [c for c in plan.columns if any(c in r.cells for r in rows)]
    table = RichTable(title=f"{kind} status: current -> target", show_lines=False)
    table.add_column("resource", no_wrap=True)
    for cid in columns:
        table.add_column(cid, overflow="ellipsis")
    for row in rows:
        table.add_row(
            f"{row.resource.name} ({row.resource.region})",
            *(_cell(row.cells.get(c, "-")) for c in columns),
        )
    return table


def _status_lines(console: Console, plan: HardenPlan, kind: str) -> None:
    """One line per change (``resource  control  current -> target``): for a narrow terminal."""
    rows = [r for r in plan.rows if r.resource.kind == kind]
    console.print(f"{kind} status: current -> target", soft_wrap=True)
    compliant = 0
    names = {id(r): f"{r.resource.name} ({r.resource.region})" for r in rows}
    pad = min(40, max((len(n) for n in names.values()), default=0))
    for row in rows:
        cells = [(c, v) for c, v in row.cells.items() if v not in ("ok", "-")]
        compliant += not cells
        for cid, value in cells:
            line = f"  {names[id(row)]:<{pad}}  {cid}  {_cell(value)}"
            console.print(line, soft_wrap=True, markup=False)
    if compliant:
        console.print(f"  {compliant} {kind}(s) compliant with every selected control")


def render_plan(plan: HardenPlan, color: bool = False, width: int | None = None) -> str:
    """The status of every resource, the API calls, MANUAL steps and what was not planned.

    The status is a table with a column per control when it fits the width without splitting
    a word; otherwise one line per change, which reads well at 80 columns."""
    buf = io.StringIO()
    console = _console(buf, color, width)
    for kind in sorted({r.resource.kind for r in plan.rows}, key=KINDS.index):
        table = _status_table(plan, kind)
        unbounded = console.options.update_width(10_000)
        if console.measure(table, options=unbounded).minimum <= console.width:
            console.print(table)
        else:
            _status_lines(console, plan, kind)
    _calls(console, plan.all_changes)
    for line in render_cost_lines(plan.costs, plan.price_label):
        console.print(line, soft_wrap=True, markup=False)
    if plan.manual:
        console.print("\nMANUAL (harden does not change these; the steps to take):")
        for m in plan.manual:
            console.print(
                f"- {m.control_id} {m.resource.kind} {m.resource.name}: {m.reason}",
                markup=False,
            )
            for step in m.steps:
                console.print(f"    {step}", soft_wrap=True, markup=False)
    if plan.skipped:
        console.print("\nnot planned:")
        for s in plan.skipped:
            console.print(
                f"- {s.control_id} {s.resource.kind} {s.resource.name}: {s.reason}", markup=False
            )
    for notice in plan.notices:
        console.print(f"notice: {notice}", markup=False)
    return buf.getvalue()


def _calls(console: Console, changes: Sequence[Change]) -> None:
    if not changes:
        console.print("\nno changes: every selected control is compliant (or manual/skipped)")
        return
    count = sum(len(c.steps) for c in changes)
    console.print(f"\n{len(changes)} change(s), {count} API call(s), in this order per resource:")
    n = 0
    for change in changes:
        for step in change.steps:
            n += 1
            line = f"{n:3}. {change.control_id} {step.describe()}"
            console.print(line, soft_wrap=True, markup=False)


def render_outcomes(outcomes: Sequence[Outcome], title: str = "result", color: bool = False) -> str:
    buf = io.StringIO()
    console = _console(buf, color)
    table = RichTable(title=title)
    for col in ("resource", "control", "status", "detail"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        r = o.change.resource
        table.add_row(f"{r.kind} {r.name} ({r.region})", o.change.control_id, o.status, o.detail)
    console.print(table)
    return buf.getvalue()
