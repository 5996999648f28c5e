"""Terminal rendering of a harden plan and its results (rich tables, no colour when piped)."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table as RichTable

from dynaguard.cost.plans import render_cost_lines
from dynaguard.remediation.base import Change
from dynaguard.remediation.executor import Outcome
from dynaguard.remediation.planner import HardenPlan

MAX_CELL = 60
# arn:aws:kms:us-east-1:123456789012:key/7c87cfe2-0275-... -> key/7c87cfe2…: the status table
# has a column per control; the full ARN is in the list of API calls below it.
_KEY_ARN = re.compile(r"arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/([0-9a-f]{8})[0-9a-f-]*")


def _console(buf: io.StringIO, color: bool) -> Console:
    width = max(120, shutil.get_terminal_size((160, 40)).columns) if color else 160
    return Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)


def _cell(text: str) -> str:
    text = _KEY_ARN.sub(lambda m: f"key/{m.group(1)}…", text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render_plan(plan: HardenPlan, color: bool = False) -> str:
    buf = io.StringIO()
    console = _console(buf, color)
    kinds = sorted(
        {r.resource.kind for r in plan.rows},
        key=["table", "dax_cluster", "vpc", "kms_key", "iam_policy"].index,
    )
    for kind in kinds:
        rows = [r for r in plan.rows if r.resource.kind == kind]
        columns = [c for c in plan.columns if any(c in r.cells for r in rows)]
        table = RichTable(title=f"{kind} status: current -> target", show_lines=False)
        table.add_column("resource", overflow="fold", no_wrap=True)
        for cid in columns:
            table.add_column(cid, overflow="fold")
        for row in rows:
            table.add_row(
                f"{row.resource.name} ({row.resource.region})",
                *(_cell(row.cells.get(c, "-")) for c in columns),
            )
        console.print(table)
    _calls(console, plan.all_changes)
    for line in render_cost_lines(plan.costs, plan.price_label):
        console.print(line, soft_wrap=True, markup=False)
    if plan.manual:
        console.print("\nMANUAL (harden does not change these; the steps to take):")
        for m in plan.manual:
            console.print(f"- {m.control_id} {m.resource.kind} {m.resource.name}: {m.reason}")
            for step in m.steps:
                console.print(f"    {step}")
    if plan.skipped:
        console.print("\nnot planned:")
        for s in plan.skipped:
            console.print(f"- {s.control_id} {s.resource.kind} {s.resource.name}: {s.reason}")
    for notice in plan.notices:
        console.print(f"notice: {notice}")
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
            console.print(f"{n:3}. {change.control_id} {step.describe()}", soft_wrap=True)


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
