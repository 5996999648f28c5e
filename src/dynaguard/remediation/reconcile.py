"""Settle the changes a killed run left ``pending``, by reading the resources they change.

A run killed between journaling a change and marking it done leaves the journal unsure whether
the change took effect. The next ``harden``, ``runs`` or ``undo`` probes each call of such a
change (probes.py): if any call's effect is in place the change is ``recovered`` (completed in
the journal, with the ids undo needs, so undo restores it); if none is, it is ``not_applied``.
If the state cannot be read (denied, throttled, the resource gone) it stays pending with the
reason, and is tried again next time. Runs of another account than the credentials' are left
alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.errors import DynaguardError
from dynaguard.logs import get_logger
from dynaguard.remediation import preludes
from dynaguard.remediation.base import ApiStep, Change, ResourceRef
from dynaguard.remediation.fixes.table_backup import resolve_plan_id
from dynaguard.remediation.journal import (
    NOT_APPLIED,
    PENDING,
    RECOVERED,
    Journal,
    JournalEntry,
    RunRecord,
    list_runs,
)
from dynaguard.remediation.probes import probe
from dynaguard.remediation.steps import ChangeFailed, StepRunner, fill

log = get_logger("harden")


@dataclass(frozen=True, slots=True)
class Settled:
    status: str | None  # recovered | not_applied | None: could not tell
    outputs: Mapping[str, Any]
    detail: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What one pass settled: a line per change, and how many are still in doubt."""

    notes: tuple[str, ...] = ()
    undetermined: int = 0
    settled: int = 0
    skipped_runs: tuple[str, ...] = field(default_factory=tuple)


def change_of(data: Mapping[str, Any]) -> Change:
    """A Change rebuilt from its journaled form (``Change.to_dict``)."""
    return Change(
        str(data["control_id"]),
        ResourceRef.from_dict(data["resource"]),
        str(data["current"]),
        str(data["target"]),
        tuple(ApiStep.from_dict(s) for s in data["steps"]),
        tuple(ApiStep.from_dict(s) for s in data.get("undo_steps") or ()),
        dict(data.get("previous") or {}),
        bool(data.get("undo_weakens", True)),
    )


def filled(step: ApiStep, outputs: Mapping[str, Any]) -> ApiStep:
    """``step`` with the placeholders ``outputs`` can fill; unchanged if some are missing."""
    try:
        params = fill(dict(step.params), outputs)
    except KeyError:
        return step
    return ApiStep(step.action, step.region, params, step.wait, step.table, step.outputs)


def _known_ids(change: Change, runner: StepRunner) -> dict[str, Any]:
    """Ids a pending change's calls need that were resolved at apply time (the plan id of a
    backup selection is looked up by the plan's name)."""
    uses_plan = any("{{BackupPlanId}}" in str(s.params) for s in change.steps)
    plan = change.previous.get("plan")
    if uses_plan and plan and change.resource.kind == "table":
        return {"BackupPlanId": resolve_plan_id(runner, change.resource.region, str(plan))}
    return {}


def settle(entry: JournalEntry, runner: StepRunner) -> Settled:
    """Probe every call of a pending change: did any of it take effect?"""
    change = change_of(entry.change)
    try:
        if change.resource.kind in (preludes.NEW_KEY, preludes.NEW_BACKUP_PLAN):
            problem = preludes.verify(change, runner)
            status = NOT_APPLIED if problem else RECOVERED
            return Settled(status, {}, problem or "created")
        outputs = _known_ids(change, runner)
    except (ChangeFailed, DynaguardError) as exc:
        return Settled(None, {}, str(exc))
    in_effect, unknown = 0, []
    for step in change.steps:
        result = probe(filled(step, outputs), runner)
        if result.in_effect is None:
            unknown.append(result.reason)
        elif result.in_effect:
            in_effect += 1
            outputs.update(result.outputs)
    total = len(change.steps)
    if in_effect:
        return Settled(RECOVERED, outputs, f"{in_effect} of {total} call(s) in effect")
    if unknown:
        return Settled(None, {}, "; ".join(unknown))
    return Settled(NOT_APPLIED, {}, f"none of its {total} call(s) in effect")


def reconcile(records: Iterable[RunRecord], runner: StepRunner) -> Reconciliation:
    """Settle the pending changes of ``records`` that belong to the credentials' account."""
    notes: list[str] = []
    skipped: list[str] = []
    undetermined = settled = 0
    account: str | None = None
    for record in records:
        pending = [e for e in record.entries if e.status == PENDING]
        if not pending or record.path is None:
            continue
        if account is None:
            account = runner.session.account_id()
        if str(record.meta.get("account_id") or account) != account:
            skipped.append(record.run_id)
            continue
        journal = Journal(record.path.parent.parent, record.run_id)
        for entry in pending:
            result = settle(entry, runner)
            label = f"run {record.run_id}: {entry.change['control_id']} on " + (
                f"{entry.change['resource']['kind']} {entry.change['resource']['name']}"
            )
            if result.status is None:
                undetermined += 1
                notes.append(
                    f"{label}: still pending, its state could not be read: {result.detail}"
                )
                continue
            journal.reconciled(entry.change_id, result.status, result.outputs, result.detail)
            settled += 1
            word = "recovered" if result.status == RECOVERED else "not applied"
            notes.append(f"{label}: {word} ({result.detail})")
            log.info("%s: %s", label, word)
    return Reconciliation(tuple(notes), undetermined, settled, tuple(skipped))


def needs_reconciling(state_dir: Path) -> list[RunRecord]:
    """The runs in ``state_dir`` with changes still pending."""
    return [r for r in list_runs(state_dir) if any(e.status == PENDING for e in r.entries)]
