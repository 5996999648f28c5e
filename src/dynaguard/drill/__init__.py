"""Restore drills: prove that a table can be recovered, and how fast.

    result = run_drill(DrillRequest("orders", "eu-west-1"), session, config, state_dir)

Restores the table to a point in time into a scratch table with a generated name, waits until
it is ACTIVE, verifies it, reports RPO and RTO against the config's targets, deletes the
scratch table (unless kept) and records the result in the history. Every step is journaled
first, so a run killed in between leaves a journal the next drill reads to delete the scratch
table it left behind.
"""

from dynaguard.drill.names import SCRATCH_PREFIX, is_scratch_table, scratch_name
from dynaguard.drill.run import DrillRequest, DrillResult, run_drill

__all__ = [
    "SCRATCH_PREFIX",
    "DrillRequest",
    "DrillResult",
    "is_scratch_table",
    "run_drill",
    "scratch_name",
]
