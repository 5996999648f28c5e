"""Undo a harden run from its journal: replay the undo calls of every verified change, newest
first. Restoring a value that turns a protection off (deletion protection, PITR, a customer
key, rotation, backup coverage, ...) is skipped unless ``allow_weakening`` (``--force``).
Changes the journal shows as started but never verified (a killed run) are listed, not undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.model.selection import Selection
from dynaguard.remediation.base import ApiStep, Change, ResourceRef
from dynaguard.remediation.executor import APPLIED, FAILED, SKIPPED, Outcome
from dynaguard.remediation.journal import Journal, RunRecord
from dynaguard.remediation.steps import ChangeFailed, StepRunner, fill


@dataclass(frozen=True, slots=True)
class UndoPlan:
    run_id: str
    changes: tuple[Change, ...]  # the restoring changes, in the order to apply
    weakening: frozenset[str]  # change ids that turn a protection off
    not_undone: tuple[str, ...]  # why some journal entries are left alone


def plan_undo(record: RunRecord, selection: Selection | None = None) -> UndoPlan:
    """The restoring changes of ``record``'s verified changes on the resources ``selection``
    selects (all of them without one), newest first."""
    changes, weakening, notes = [], set(), []
    for entry in reversed(record.entries):
        data = entry.change
        label = f"{data['control_id']} on {data['resource']['name']}"
        resource = data["resource"]
        if selection is not None and not selection.selects(resource["kind"], resource["name"]):
            continue
        if entry.status != "done":
            notes.append(f"{label}: {entry.status} in the journal (not verified), not undone")
            continue
        if not data.get("undo_steps"):
            notes.append(f"{label}: nothing to undo (created resources are kept)")
            continue
        try:
            steps = tuple(_filled(ApiStep.from_dict(s), entry.outputs) for s in data["undo_steps"])
        except KeyError as exc:
            notes.append(f"{label}: the journal lacks {exc} to undo it")
            continue
        change = Change(
            data["control_id"],
            ResourceRef.from_dict(data["resource"]),
            data["target"],
            data["current"],
            steps,
            tuple(ApiStep.from_dict(s) for s in data["steps"]),
            {"of_change": data["change_id"]},
            undo_weakens=False,
        )
        changes.append(change)
        if data.get("undo_weakens", True):
            weakening.add(change.change_id)
    return UndoPlan(record.run_id, tuple(changes), frozenset(weakening), tuple(notes))


def _filled(step: ApiStep, outputs: dict[str, object] | object) -> ApiStep:
    values = outputs if isinstance(outputs, dict) else {}
    return ApiStep(
        step.action,
        step.region,
        fill(dict(step.params), values),
        step.wait,
        step.table,
        step.outputs,
    )


def run_undo(
    plan: UndoPlan, runner: StepRunner, journal: Journal, allow_weakening: bool
) -> list[Outcome]:
    journal.start("undo", of_run=plan.run_id, planned=len(plan.changes))
    outcomes = []
    for change in plan.changes:
        if change.change_id in plan.weakening and not allow_weakening:
            outcomes.append(Outcome(change, SKIPPED, "re-disabling a protection needs --force"))
            continue
        journal.pending(change)
        try:
            outputs = runner.run_change(change)
        except ChangeFailed as exc:
            journal.failed(change, str(exc))
            outcomes.append(Outcome(change, FAILED, str(exc)))
            continue
        journal.done(change, outputs)
        outcomes.append(Outcome(change, APPLIED))
    journal.finish(
        {s: sum(1 for o in outcomes if o.status == s) for s in (APPLIED, FAILED, SKIPPED)}
    )
    return outcomes
