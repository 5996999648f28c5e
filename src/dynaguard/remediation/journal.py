"""The run journal: JSON lines under the state directory, one file per run.

Before a change is applied its previous value and undo calls are appended (``pending``); after
it is verified it is marked ``done`` (with the outputs undo needs, e.g. a created selection's
id) or ``failed``. Every line is flushed and fsynced, so a run killed with SIGKILL leaves a
journal that says exactly what it had started and finished. ``dynaguard runs`` lists the
journals; ``dynaguard undo RUN_ID`` replays the undo calls of the done changes.
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
from dynaguard.remediation.base import Change


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
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def start(self, kind: str, **meta: Any) -> None:
        self.write("run", run_id=self.run_id, kind=kind, **meta)

    def pending(self, change: Change) -> None:
        self.write("pending", **change.to_dict())

    def done(self, change: Change, outputs: Mapping[str, Any]) -> None:
        self.write("done", change_id=change.change_id, outputs=dict(outputs))

    def failed(self, change: Change, error: str) -> None:
        self.write("failed", change_id=change.change_id, error=error)

    def finish(self, summary: Mapping[str, Any]) -> None:
        self.write("finished", summary=dict(summary))


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change as the journal knows it: what was planned and how it ended."""

    change: Mapping[str, Any]
    status: str  # pending (started, never verified) | done | failed
    outputs: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    kind: str
    started: str
    finished: bool
    meta: Mapping[str, Any]
    entries: tuple[JournalEntry, ...]

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "started": self.started,
            "finished": self.finished,
            "done": self.count("done"),
            "failed": self.count("failed"),
            "pending": self.count("pending"),
            "of_run": self.meta.get("of_run"),
        }


def read_run(path: Path) -> RunRecord:
    meta: dict[str, Any] = {}
    changes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    finished = False
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut by a kill: everything before it stands
        kind = event.get("event")
        if kind == "run":
            meta = event
        elif kind == "pending":
            cid = event["change_id"]
            if cid not in changes:
                order.append(cid)
            changes[cid] = {"change": event, "status": "pending"}
        elif kind in ("done", "failed") and event.get("change_id") in changes:
            entry = changes[event["change_id"]]
            entry["status"] = kind
            entry["outputs"] = event.get("outputs") or {}
            entry["error"] = event.get("error")
        elif kind == "finished":
            finished = True
    entries = tuple(
        JournalEntry(
            changes[c]["change"],
            changes[c]["status"],
            changes[c].get("outputs") or {},
            changes[c].get("error"),
        )
        for c in order
    )
    return RunRecord(
        path.stem,
        str(meta.get("kind", "harden")),
        str(meta.get("time", "")),
        finished,
        meta,
        entries,
    )


def list_runs(state_dir: Path) -> Iterator[RunRecord]:
    folder = state_dir / "runs"
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        yield read_run(path)


def load_run(state_dir: Path, run_id: str) -> RunRecord:
    path = state_dir / "runs" / f"{run_id}.jsonl"
    if "/" in run_id or not path.is_file():
        raise UsageError(f"no run {run_id!r} in {state_dir} (see 'dynaguard runs')")
    return read_run(path)
