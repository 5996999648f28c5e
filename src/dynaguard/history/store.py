"""The history store: an SQLite file beside the harden journals (``<state dir>/history.sqlite3``).

Safe with several writers: WAL journal mode, every write in one ``BEGIN IMMEDIATE``
transaction, a busy timeout so a second scan waits for the first instead of failing. A process
killed mid-write (SIGKILL) leaves the last committed state: SQLite's atomic commit, tested.

Retention: after each recorded run, only the newest ``keep_runs`` runs of the same scope are
kept (default 100); their findings go with them.

Public API (stable, for other records too, e.g. restore drills)::

    with open_history(state_dir) as store:            # state_dir None: the user data dir
        store.record_run(report, command="scan", config_hash=...)
        store.runs(scope_key=None, limit=20)          # newest first
        store.findings(run_id)                        # list of finding dicts
        store.record_event("restore_drill", {...}, run_id=None)
        store.events("restore_drill", limit=50)       # newest first
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.errors import UsageError
from dynaguard.history.migrations import LATEST, STEPS
from dynaguard.report import Finding, Report
from dynaguard.sanitize import json_safe

FILE_NAME = "history.sqlite3"
DEFAULT_KEEP_RUNS = 100
BUSY_TIMEOUT_S = 30.0
# Newest first. started_at has a resolution of one second and run ids end in random hex, so
# runs that started in the same second are ordered by when they were recorded (the rowid:
# INSERT OR REPLACE gives a re-recorded run a new one), never by their ids.
NEWEST_FIRST = "started_at DESC, rowid DESC"


def default_history_path(state_dir: Path | None = None) -> Path:
    """``<state dir>/history.sqlite3``; the state dir defaults to the user data dir."""
    if state_dir is None:
        import platformdirs

        state_dir = Path(platformdirs.user_data_dir("dynaguard"))
    return state_dir / FILE_NAME


def finding_key(finding: Mapping[str, Any]) -> str:
    """The identity of a finding across runs: control and resource (and file for code)."""
    location = finding.get("location") or {}
    parts = (
        finding["control_id"],
        finding["resource_type"],
        finding.get("account_id") or "",
        finding.get("region") or "",
        finding.get("resource_arn") or finding["resource_id"],
        location.get("file") or "",
    )
    # a lone surrogate (a "\\ud800" escape in a JSON or YAML file) cannot be stored as UTF-8
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", "|".join(map(str, parts)))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    started_at: str
    command: str
    source: str
    scope_key: str
    scope: Mapping[str, Any]
    config_hash: str
    controls: tuple[str, ...]
    tool_version: str
    summary: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "command": self.command,
            "source": self.source,
            "scope": dict(self.scope),
            "config_hash": self.config_hash,
            "controls": list(self.controls),
            "tool_version": self.tool_version,
            "summary": dict(self.summary),
        }


def config_hash(path: str | None) -> str:
    """sha256 of the configuration file's bytes, or ``default`` without one."""
    if not path:
        return "default"
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


class HistoryStore:
    """One open connection; use as a context manager (``open_history``)."""

    def __init__(self, path: Path, keep_runs: int = DEFAULT_KEEP_RUNS) -> None:
        self.path = path
        self.keep_runs = keep_runs
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot open the history store {path}: {exc}") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise UsageError(f"history store {path} is not usable: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so two writers never interleave."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.schema_version() >= LATEST:
            if self.schema_version() > LATEST:
                raise sqlite3.DatabaseError(
                    f"schema v{self.schema_version()} is newer than this dynaguard "
                    f"(v{LATEST}): upgrade dynaguard"
                )
            return
        with self._write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            for number, step in enumerate(STEPS[version:], start=version + 1):
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    # --- runs ---------------------------------------------------------------------------

    def record_run(self, report: Report, *, command: str, config_hash: str = "default") -> None:
        """The run and its findings, in one transaction; then prune the scope's old runs."""
        # A generator, not a list: an organization's findings stream from the scan's spool.
        # INSERT OR REPLACE keeps one row per identity, as a dict keyed by it would.
        rows = ((finding_key(d), d) for d in (f.to_dict() for f in report.findings))
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs (run_id, started_at, source, scope_key, "
                "scope_json, config_hash, controls_json, tool_version, summary_json, command) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report.run_id,
                    report.started_at,
                    report.source,
                    report.scope_key(),
                    json.dumps(dict(report.scope), sort_keys=True, default=str),
                    config_hash,
                    json.dumps(list(report.controls)),
                    __version__,
                    json.dumps(report.summary()),
                    command,
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO findings (run_id, finding_key, control_id, status, "
                "severity, data_json) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        report.run_id,
                        key,
                        f["control_id"],
                        f["status"],
                        f["severity"],
                        json_safe(json.dumps(f, ensure_ascii=False)),  # the same data, UTF-8
                    )
                    for key, f in rows
                ),
            )
            self._prune(db, report.scope_key())

    def _prune(self, db: sqlite3.Connection, scope_key: str) -> None:
        old = db.execute(
            f"SELECT run_id FROM runs WHERE scope_key = ? ORDER BY {NEWEST_FIRST} "  # noqa: S608
            "LIMIT -1 OFFSET ?",
            (scope_key, self.keep_runs),
        ).fetchall()
        for row in old:
            db.execute("DELETE FROM findings WHERE run_id = ?", (row[0],))
            db.execute("DELETE FROM runs WHERE run_id = ?", (row[0],))

    def runs(self, scope_key: str | None = None, limit: int = 20) -> list[RunRecord]:
        """Newest first; of one scope when ``scope_key`` is given."""
        where, args = ("WHERE scope_key = ?", [scope_key]) if scope_key else ("", [])
        rows = self.db.execute(
            f"SELECT * FROM runs {where} ORDER BY {NEWEST_FIRST} LIMIT ?",  # noqa: S608
            [*args, limit],
        ).fetchall()
        return [_run(row) for row in rows]

    def run(self, run_id: str) -> RunRecord:
        """A run by id, or by a unique prefix of it."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE run_id = ? OR run_id LIKE ? ESCAPE '\\' LIMIT 2",
            (run_id, run_id.replace("%", "\\%").replace("_", "\\_") + "%"),
        ).fetchall()
        exact = [r for r in rows if r["run_id"] == run_id]
        if exact:
            return _run(exact[0])
        if len(rows) == 1:
            return _run(rows[0])
        if not rows:
            raise UsageError(f"no run {run_id!r} in the history (see 'dynaguard history')")
        raise UsageError(f"run id {run_id!r} is ambiguous: give more of it")

    def findings(self, run_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT data_json FROM findings WHERE run_id = ? ORDER BY finding_key", (run_id,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # --- events (other records: restore drills, ...) -------------------------------------

    def record_event(self, kind: str, data: Mapping[str, Any], run_id: str | None = None) -> int:
        """Keep one record of ``kind`` (e.g. ``restore_drill``); returns its id."""
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO events (kind, run_id, recorded_at, data_json) VALUES (?, ?, ?, ?)",
                (kind, run_id, now, json.dumps(dict(data), default=str)),
            )
            return int(cursor.lastrowid or 0)

    def events(self, kind: str, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first: ``{"event_id", "kind", "run_id", "recorded_at", "data"}``."""
        rows = self.db.execute(
            "SELECT * FROM events WHERE kind = ? ORDER BY recorded_at DESC, event_id DESC LIMIT ?",
            (kind, limit),
        ).fetchall()
        return [
            {
                "event_id": r["event_id"],
                "kind": r["kind"],
                "run_id": r["run_id"],
                "recorded_at": r["recorded_at"],
                "data": json.loads(r["data_json"]),
            }
            for r in rows
        ]


def _run(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        started_at=row["started_at"],
        command=row["command"],
        source=row["source"],
        scope_key=row["scope_key"],
        scope=json.loads(row["scope_json"]),
        config_hash=row["config_hash"],
        controls=tuple(json.loads(row["controls_json"])),
        tool_version=row["tool_version"],
        summary=json.loads(row["summary_json"]),
    )


def open_history(state_dir: Path | str | None = None, **kwargs: Any) -> HistoryStore:
    """The store under ``state_dir`` (default: the user data dir), migrated to the latest;
    created when there is none."""
    path = default_history_path(Path(state_dir) if state_dir is not None else None)
    return HistoryStore(path, **kwargs)


def read_history(state_dir: Path | str | None = None) -> HistoryStore | None:
    """The store under ``state_dir`` to read, or None when there is none yet: reading never
    creates the directory or the file (``dynaguard history`` with a mistyped ``--state-dir``
    must not leave state behind)."""
    path = default_history_path(Path(state_dir) if state_dir is not None else None)
    if not path.is_file():
        return None
    return HistoryStore(path)


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """A stored finding back as a Finding (for reports rendered from history)."""
    from dynaguard.model import Severity, Status

    location = data.get("location") or {}
    return Finding(
        control_id=data["control_id"],
        title=data.get("title", ""),
        status=Status(data["status"]),
        severity=Severity(data["severity"]),
        resource_type=data["resource_type"],
        resource_id=data["resource_id"],
        account_id=data.get("account_id"),
        region=data.get("region"),
        reason=data.get("reason", ""),
        remediation=data.get("remediation", ""),
        resource_arn=data.get("resource_arn"),
        file=location.get("file"),
        line=location.get("line"),
        evidence=data.get("evidence"),
        suppression=data.get("suppression"),
    )
