"""The run journal: JSON lines under the state directory, one file per run.

Before a change is applied its previous value and undo calls are appended (``pending``); after
it is verified it is marked ``done`` (with the outputs undo needs, e.g. a created selection's
id) or ``failed``. Every line is flushed and fsynced, so a run killed with SIGKILL leaves a
journal that says exactly what it had started and finished. A change left ``pending`` by a kill
is settled later by reading the resource (reconcile.py): a ``reconciled`` line then marks it
``recovered`` (it took effect: undo restores it) or ``not_applied``.

Reading never fails on a damaged journal: a line cut by a kill, a line that is not a JSON
object, bytes that are not UTF-8, an event without the fields it needs are each reported as a
``Damage`` (file and line) and skipped; everything else in the file stands.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.remediation.change import Change

PENDING, DONE, FAILED = "pending", "done", "failed"
RECOVERED, NOT_APPLIED = "recovered", "not_applied"
APPLIED_STATES = frozenset({DONE, RECOVERED})  # what undo restores


def default_state_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("dynaguard"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Journal:
    """Appends one run's events; thread-safe (lanes run in parallel)."""

    def __init__(self, state_dir: Path, run_id: str) -> None:
        self.path = state_dir / "runs" / f"{run_id}.jsonl"
        self.run_id = run_id
        self._lock = threading.Lock()

    def write(self, event: str, **data: Any) -> None:
        line = json.dumps({"event": event, "time": _now(), **data}, sort_keys=True, default=str)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                if handle.tell() and not _ends_with_newline(self.path):
                    handle.write(b"\n")  # a line cut by a kill stays one damaged line
                handle.write(line.encode("utf-8") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())

    def start(self, kind: str, **meta: Any) -> None:
        self.write("run", run_id=self.run_id, kind=kind, **meta)

    def pending(self, change: Change) -> None:
        self.write(PENDING, **change.to_dict())

    def done(self, change: Change, outputs: Mapping[str, Any]) -> None:
        self.write(DONE, change_id=change.change_id, outputs=dict(outputs))

    def failed(self, change: Change, error: str) -> None:
        self.write(FAILED, change_id=change.change_id, error=error)

    def reconciled(
        self, change_id: str, status: str, outputs: Mapping[str, Any], detail: str
    ) -> None:
        """A pending change settled by reading the resource: ``recovered`` or ``not_applied``."""
        self.write(
            "reconciled", change_id=change_id, status=status, outputs=dict(outputs), detail=detail
        )

    def finish(self, summary: Mapping[str, Any]) -> None:
        self.write("finished", summary=dict(summary))


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


@dataclass(frozen=True, slots=True)
class Damage:
    """A journal line that could not be used, and why."""

    path: Path
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}, skipped"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change as the journal knows it: what was planned and how it ended."""

    change: Mapping[str, Any]  # the pending event: Change.to_dict()
    status: str  # pending | done | failed | recovered | not_applied
    outputs: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    detail: str | None = None  # how a pending change was reconciled

    @property
    def change_id(self) -> str:
        return str(self.change["change_id"])

    @property
    def applied(self) -> bool:
        return self.status in APPLIED_STATES


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    kind: str
    started: str
    finished: bool
    meta: Mapping[str, Any]
    entries: tuple[JournalEntry, ...]
    path: Path | None = None
    damaged: tuple[Damage, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def of_run(self) -> str | None:
        value = self.meta.get("of_run")
        return str(value) if value else None

    @property
    def account_id(self) -> str | None:
        """The account the run changed (None in journals that predate multi-account runs:
        the caller's)."""
        return self._text("account_id")

    @property
    def role_arn(self) -> str | None:
        """The role assumed to reach the account (None: the caller's own credentials)."""
        return self._text("role_arn")

    @property
    def batch(self) -> str | None:
        """The multi-account run this account's run belongs to (``harden --accounts``)."""
        return self._text("batch")

    def _text(self, key: str) -> str | None:
        value = self.meta.get(key)
        return value if isinstance(value, str) and value else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "started": self.started,
            "finished": self.finished,
            "done": self.count(DONE),
            "failed": self.count(FAILED),
            "pending": self.count(PENDING),
            "recovered": self.count(RECOVERED),
            "not_applied": self.count(NOT_APPLIED),
            "damaged_lines": len(self.damaged),
            "of_run": self.of_run,
            "account_id": self.account_id,
            "role_arn": self.role_arn,
            "batch": self.batch,
        }


def _step_problem(step: Any) -> str | None:
    if not isinstance(step, dict):
        return "a call is not an object"
    if not isinstance(step.get("action"), str) or ":" not in step["action"]:
        return "a call has no action"
    if not isinstance(step.get("region"), str) or not isinstance(step.get("params"), dict):
        return "a call has no region or parameters"
    return None


def change_problem(event: Mapping[str, Any]) -> str | None:
    """What a pending event lacks to be undone or reconciled, or None."""
    for key in ("change_id", "control_id", "current", "target"):
        if not isinstance(event.get(key), str):
            return f"pending change without {key}"
    resource = event.get("resource")
    if not isinstance(resource, dict) or not all(
        isinstance(resource.get(k), str) for k in ("kind", "name", "region", "account_id")
    ):
        return "pending change without a resource"
    for key in ("steps", "undo_steps"):
        calls = event.get(key, [])
        if not isinstance(calls, list):
            return f"pending change with {key} that is not a list"
        problem = next((p for p in map(_step_problem, calls) if p), None)
        if problem:
            return f"pending change: {problem}"
    return None


class _Reader:
    """Folds one journal's events into entries, collecting damage instead of raising."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, Any] = {}
        self.changes: dict[str, dict[str, Any]] = {}
        self.finished = False
        self.damaged: list[Damage] = []

    def damage(self, number: int, why: str) -> None:
        self.damaged.append(Damage(self.path, number, why))

    def line(self, number: int, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            event = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return self.damage(number, "bytes that are not UTF-8")
        except ValueError:
            return self.damage(number, "not JSON (a line cut by a kill?)")
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            return self.damage(number, "not a journal event (a JSON object with an 'event')")
        self.event(number, event)
        return None

    def event(self, number: int, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "run":
            self.meta = event
        elif kind == PENDING:
            problem = change_problem(event)
            if problem:
                return self.damage(number, problem)
            self.changes[event["change_id"]] = {"change": event, "status": PENDING}
        elif kind in (DONE, FAILED, "reconciled"):
            change_id = event.get("change_id")
            entry = self.changes.get(change_id) if isinstance(change_id, str) else None
            if entry is None:
                return self.damage(number, f"'{kind}' of a change never started")
            status = event.get("status") if kind == "reconciled" else kind
            if status not in (DONE, FAILED, RECOVERED, NOT_APPLIED):
                return self.damage(number, f"unknown status {status!r}")
            outputs = event.get("outputs")
            entry.update(
                status=status,
                outputs=outputs if isinstance(outputs, dict) else {},
                error=event.get("error"),
                detail=event.get("detail"),
            )
        elif kind == "finished":
            self.finished = True
        else:
            return self.damage(number, f"unknown event {kind!r}")
        return None

    def record(self) -> RunRecord:
        entries = tuple(
            JournalEntry(
                c["change"],
                str(c["status"]),
                c.get("outputs") or {},
                _text(c.get("error")),
                _text(c.get("detail")),
            )
            for c in self.changes.values()
        )
        return RunRecord(
            self.path.stem,
            str(self.meta.get("kind", "harden")),
            str(self.meta.get("time", "")),
            self.finished,
            self.meta,
            entries,
            self.path,
            tuple(self.damaged),
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def read_run(path: Path) -> RunRecord:
    """The run in ``path``; damaged lines are in ``RunRecord.damaged``, never raised."""
    reader = _Reader(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reader.damage(0, f"cannot be read ({exc.strerror or exc})")
        return reader.record()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        reader.line(number, raw)
    return reader.record()


def list_runs(state_dir: Path) -> Iterator[RunRecord]:
    folder = state_dir / "runs"
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        if path.is_file():
            yield read_run(path)


def load_run(state_dir: Path, run_id: str) -> RunRecord:
    path = state_dir / "runs" / f"{run_id}.jsonl"
    if "/" in run_id or not path.is_file():
        raise UsageError(f"no run {run_id!r} in {state_dir} (see 'dynaguard runs')")
    return read_run(path)


def load_runs(state_dir: Path, run_id: str) -> list[RunRecord]:
    """Run ``run_id``, or every account's harden run of the multi-account run ``run_id``
    (``harden --accounts``: each account's journal names it as its ``batch``)."""
    path = state_dir / "runs" / f"{run_id}.jsonl"
    if "/" not in run_id and path.is_file():
        return [read_run(path)]
    found = [r for r in list_runs(state_dir) if r.batch == run_id and r.kind == "harden"]
    if not found:
        raise UsageError(f"no run {run_id!r} in {state_dir} (see 'dynaguard runs')")
    return found


def restored_changes(runs: Iterator[RunRecord] | list[RunRecord], run_id: str) -> dict[str, str]:
    """Changes of run ``run_id`` that an undo run restored: change id -> undo run id."""
    out: dict[str, str] = {}
    for record in runs:
        if record.kind != "undo" or record.of_run != run_id:
            continue
        for entry in record.entries:
            previous = entry.change.get("previous")
            of_change = previous.get("of_change") if isinstance(previous, dict) else None
            if entry.applied and isinstance(of_change, str):
                out[of_change] = record.run_id
    return out
