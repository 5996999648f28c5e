"""Run history: every ``scan`` and ``iac`` run in an embedded SQLite store, and diffs between
runs. See :mod:`dynaguard.history.store` for the store and its public API (also used for other
records such as restore drills), :mod:`dynaguard.history.diff` for comparing two runs.
"""

from dynaguard.history.diff import RunDiff, diff_findings
from dynaguard.history.store import (
    DEFAULT_KEEP_RUNS,
    HistoryStore,
    RunRecord,
    default_history_path,
    open_history,
)

__all__ = [
    "DEFAULT_KEEP_RUNS",
    "HistoryStore",
    "RunDiff",
    "RunRecord",
    "default_history_path",
    "diff_findings",
    "open_history",
]
