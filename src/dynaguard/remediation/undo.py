"""Undo a harden run from its journal: replay the undo calls of its changes, newest first.

Changes that were verified (``done``), settled as ``recovered`` after a kill, or that failed
midway are restored; each restoring call is first read back (probes.py) and skipped when the
previous value is already in place, so a change that was only partly applied is restored
exactly, and an undo can be run again after it was itself interrupted. Changes an earlier undo
already restored are not touched again. Restoring a value that turns a protection off (deletion
protection, PITR, a customer key, rotation, backup coverage, ...) is skipped unless
``allow_unprotect`` (``--allow-unprotect``). Changes still pending (state unreadable) are
listed, not undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.remediation.change import ApiStep, Change, ResourceRef
from dynaguard.remediation.executor import APPLIED, FAILED, SKIPPED, Outcome
from dynaguard.remediation.journal import FAILED as JOURNAL_FAILED
from dynaguard.remediation.journal import NOT_APPLIED, Journal, JournalEntry, RunRecord
from dynaguard.remediation.probes import probe
from dynaguard.remediation.steps import ChangeFailed, StepRunner, fill
from dynaguard.selection import Selection

UNPROTECT_FLAG = "--allow-unprotect"


@dataclass(frozen=True, slots=True)
class UndoPlan:
    run_id: str
    changes: tuple[Change, ...]  # the restoring changes, in the order to apply
    weakening: frozenset[str]  # change ids that turn a protection off
    not_undone: tuple[str, ...]  # why some journal entries are left alone
    already_undone: tuple[str, ...] = ()  # changes an earlier undo restored
    undone_by: tuple[str, ...] = ()  # those undo runs

    @property
    def was_undone(self) -> bool:
        """Everything this undo would restore was restored by an earlier undo."""
        return not self.changes and bool(self.already_undone)


def _label(data: Mapping[str, Any]) -> str:
    return f"{data['control_id']} on {data['resource']['kind']} {data['resource']['name']}"


def plan_undo(
    record: RunRecord,
    selection: Selection | None = None,
    restored: Mapping[str, str] | None = None,
) -> UndoPlan:
    """The restoring changes of ``record`` on the resources ``selection`` selects (all of them
    without one), newest first, leaving out what ``restored`` (change id -> undo run) says an
    earlier undo restored."""
    restored = restored or {}
    changes, weakening, notes, already, by = [], set(), [], [], set()
    for entry in reversed(record.entries):
        data = entry.change
        resource = data["resource"]
        if selection is not None and not selection.selects(resource["kind"], resource["name"]):
            continue
        if entry.change_id in restored:
            already.append(_label(data))
            by.add(restored[entry.change_id])
            continue
        why = _not_undoable(entry)
        if why:
            notes.append(f"{_label(data)}: {why}")
            continue
        try:
            steps = tuple(_filled(ApiStep.from_dict(s), entry.outputs) for s in data["undo_steps"])
        except KeyError as exc:
            notes.append(f"{_label(data)}: the journal lacks {exc} to undo it")
            continue
        change = Change(
            data["control_id"],
            ResourceRef.from_dict(resource),
            data["target"],
            data["current"],
            steps,
            tuple(ApiStep.from_dict(s) for s in data["steps"]),
            {"of_change": entry.change_id},
            undo_weakens=False,
        )
        changes.append(change)
        if data.get("undo_weakens", True):
            weakening.add(change.change_id)
    return UndoPlan(
        record.run_id,
        tuple(changes),
        frozenset(weakening),
        tuple(notes),
        tuple(already),
        tuple(sorted(by)),
    )


def _not_undoable(entry: JournalEntry) -> str | None:
    if entry.status == NOT_APPLIED:
        return "never took effect (read back after the run was interrupted): nothing to undo"
    if not entry.applied and entry.status != JOURNAL_FAILED:
        return "still pending in the journal (its state could not be read): not undone"
    if not entry.change.get("undo_steps"):
        return "nothing to undo (created resources are kept)"
    return None


def _filled(step: ApiStep, outputs: Mapping[str, Any]) -> ApiStep:
    return ApiStep(
        step.action,
        step.region,
        fill(dict(step.params), dict(outputs)),
        step.wait,
        step.table,
        step.outputs,
    )


def restore(change: Change, runner: StepRunner) -> tuple[dict[str, Any], int]:
    """Make the restoring calls whose effect is not in place yet; (outputs, calls made)."""
    produced: dict[str, Any] = {}
    made = 0
    for step in change.steps:
        if probe(step, runner).in_effect:
            continue  # the previous value is already there
        produced.update(runner.run_step(step, produced))
        made += 1
    return produced, made


def run_undo(
    plan: UndoPlan, runner: StepRunner, journal: Journal, allow_unprotect: bool, **meta: Any
) -> list[Outcome]:
    """Restore ``plan``, journaled (``meta``: the account, the role that reached it, the
    batch of a multi-account undo)."""
    journal.start("undo", of_run=plan.run_id, planned=len(plan.changes), **meta)
    outcomes = []
    for change in plan.changes:
        if change.change_id in plan.weakening and not allow_unprotect:
            outcomes.append(
                Outcome(change, SKIPPED, f"re-disabling a protection needs {UNPROTECT_FLAG}")
            )
            continue
        journal.pending(change)
        try:
            outputs, made = restore(change, runner)
        except ChangeFailed as exc:
            journal.failed(change, str(exc))
            outcomes.append(Outcome(change, FAILED, str(exc)))
            continue
        journal.done(change, outputs)
        kept = len(change.steps) - made
        detail = f"{kept} of {len(change.steps)} already in place" if kept else ""
        outcomes.append(Outcome(change, APPLIED, detail))
    journal.finish(
        {s: sum(1 for o in outcomes if o.status == s) for s in (APPLIED, FAILED, SKIPPED)}
    )
    return outcomes
