"""Schema versions of the history store, applied in order; ``PRAGMA user_version`` holds the
version a database is at. Never edit a released step: add the next one.
"""

from __future__ import annotations

# v1: runs and their findings.
V1 = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    source TEXT NOT NULL,
    scope_key TEXT NOT NULL,
    scope_json TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    controls_json TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary_json TEXT NOT NULL
);
CREATE INDEX runs_by_scope ON runs (scope_key, started_at);
CREATE TABLE findings (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    finding_key TEXT NOT NULL,
    control_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    data_json TEXT NOT NULL,
    PRIMARY KEY (run_id, finding_key)
);
"""

# v2: the command that made a run (scan | iac), and events: other records kept beside runs
# (restore drills, ...), each with a kind and a JSON body.
V2 = """
ALTER TABLE runs ADD COLUMN command TEXT NOT NULL DEFAULT 'scan';
CREATE TABLE events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    run_id TEXT,
    recorded_at TEXT NOT NULL,
    data_json TEXT NOT NULL
);
CREATE INDEX events_by_kind ON events (kind, recorded_at);
"""

STEPS: tuple[str, ...] = (V1, V2)
LATEST = len(STEPS)
