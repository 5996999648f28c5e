"""The drill's plan and result as terminal text. Table names, notes and AWS error messages in
it pass through ``sanitize.clean_line``: one line each, shown escaped, never acted on by the
terminal."""

from __future__ import annotations

from dynaguard.drill.run import DrillResult
from dynaguard.sanitize import clean_line


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} min"


def render_plan(result: DrillResult) -> str:
    cost = "not estimated" if result.cost_usd is None else f"${result.cost_usd:,.2f}"
    lines = [
        f"Restore drill of {result.table} in {result.region}:",
        f"  1. restore to {result.restore_point or 'the latest restorable time'} into the scratch "
        f"table {result.scratch_table} (on-demand, the source's encryption)",
        "  2. wait until it is ACTIVE; verify key schema, indexes, encryption, item count and a "
        "sample of items (by hash)",
        f"  3. measure RPO and RTO against the targets "
        f"({result.targets.get('rpo', 0) / 60:g} min, {result.targets.get('rto', 0) / 60:g} min)",
        "  4. delete the scratch table" + (" (no: --keep)" if result.kept else ""),
        f"  estimated cost: {cost} ({result.cost_basis})",
    ]
    lines += [f"  {note}" for note in result.left_behind]
    return "\n".join(map(clean_line, lines)) + "\n"


def render_result(result: DrillResult) -> str:
    lines = [f"drill {result.run_id}: {result.outcome.upper()}"]
    lines += [f"  cleaned up: {c}" for c in result.cleaned_up]
    if result.restore_point:
        lines.append(f"  restore point: {result.restore_point}")
    rpo, rto = result.targets.get("rpo", 0) / 60, result.targets.get("rto", 0) / 60
    lines.append(
        f"  RPO {_minutes(result.rpo_seconds)}, RTO {_minutes(result.rto_seconds)} "
        f"(targets {rpo:g} / {rto:g} min)"
    )
    for check in result.checks:
        lines.append(f"  {check.status:<5} {check.name}: {check.detail}")
    if result.error:
        lines.append(f"  error: {result.error}")
    if result.kept:
        lines.append(f"  scratch table kept: {result.scratch_table} (delete it when done)")
    elif result.deleted:
        lines.append(f"  scratch table {result.scratch_table} deleted")
    lines += [f"  left behind: {note}" for note in result.left_behind]
    if result.journal:
        lines.append(f"  journal: {result.journal}")
    return "\n".join(map(clean_line, lines)) + "\n"
