"""The executor: apply planned changes, verify each by re-reading, journal everything.

Preludes (a key or backup plan to create) run first. Then each lane (a table with its
replicas, a DAX cluster, a VPC, a key) runs its changes one after another; different lanes run
in parallel, at most ``concurrency`` at a time. A failed change is recorded and its lane goes
on with the next change; other lanes never stop for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from dynaguard.logs import get_logger
from dynaguard.model import Status
from dynaguard.remediation import preludes
from dynaguard.remediation.base import Change
from dynaguard.remediation.journal import Journal
from dynaguard.remediation.registry import get_remediation
from dynaguard.remediation.steps import ChangeFailed, StepRunner

log = get_logger("harden")

APPLIED, FAILED, SKIPPED = "applied", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class Outcome:
    change: Change
    status: str  # applied | failed | skipped
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change.change_id,
            "control_id": self.change.control_id,
            "resource": self.change.resource.to_dict(),
            "status": self.status,
            "detail": self.detail,
        }


def verify_by_rescan(change: Change, runner: StepRunner) -> str | None:
    """Re-read the resource with the change's control: it must not FAIL (or be UNKNOWN)."""
    if runner.rescan is None:
        return None
    findings = [
        f
        for f in runner.rescan(change.resource, change.control_id)
        if f.control_id == change.control_id
    ]
    if not findings:
        return f"{change.resource.label()} not found when re-read"
    bad = [f for f in findings if f.status in (Status.FAIL, Status.UNKNOWN)]
    if bad:
        return "; ".join(f"{f.status.value} in {f.region}: {f.reason}" for f in bad)
    return None


def apply_one(change: Change, runner: StepRunner, journal: Journal | None) -> Outcome:
    """Journal the previous value, apply, verify, mark done (or failed)."""
    if journal is not None:
        journal.pending(change)
    try:
        if change.resource.kind in (preludes.NEW_KEY, preludes.NEW_BACKUP_PLAN):
            outputs: Mapping[str, Any] = preludes.apply(change, runner)
            problem = preludes.verify(change, runner)
        else:
            remediation = get_remediation(change.control_id)
            apply = remediation.apply if remediation and remediation.apply else None
            outputs = apply(change, runner) if apply else runner.run_change(change)
            verify = remediation.verify if remediation and remediation.verify else verify_by_rescan
            problem = verify(change, runner)
        if problem:
            raise ChangeFailed(f"applied but not in effect when re-read: {problem}")
    except ChangeFailed as exc:
        return _failed(change, str(exc), journal)
    except Exception as exc:  # a bug in one fix must not stop the other tables
        log.exception("internal error applying %s", change.control_id)
        return _failed(change, f"internal error: {exc!r}", journal)
    if journal is not None:
        journal.done(change, outputs)
    log.info("%s on %s applied and verified", change.control_id, change.resource.label())
    return Outcome(change, APPLIED)


def _failed(change: Change, error: str, journal: Journal | None) -> Outcome:
    if journal is not None:
        journal.failed(change, error)
    log.warning("%s on %s failed: %s", change.control_id, change.resource.label(), error)
    return Outcome(change, FAILED, error)


def _lanes(changes: Sequence[Change]) -> list[list[Change]]:
    lanes: dict[str, list[Change]] = {}
    for change in changes:
        lanes.setdefault(change.resource.lane, []).append(change)
    return list(lanes.values())


def execute(
    preludes_: Sequence[Change],
    changes: Sequence[Change],
    runner: StepRunner,
    journal: Journal | None,
    concurrency: int = 4,
) -> list[Outcome]:
    outcomes = [apply_one(c, runner, journal) for c in preludes_]
    failed = {preludes.prelude_id(o.change) for o in outcomes if o.status != APPLIED}

    def run_lane(lane: list[Change]) -> list[Outcome]:
        out = []
        for change in lane:
            missing = [r for r in change.requires if r in failed]
            if missing:
                out.append(Outcome(change, SKIPPED, f"prerequisite failed: {', '.join(missing)}"))
                continue
            out.append(apply_one(change, runner, journal))
        return out

    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="dynaguard-harden") as pool:
        for lane_outcomes in pool.map(run_lane, _lanes(changes)):
            outcomes.extend(lane_outcomes)
    return outcomes
