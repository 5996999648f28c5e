"""The last successful drill of each table, from the history store (for ``dynaguard scan``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dynaguard.report import Finding

if TYPE_CHECKING:
    from dynaguard.history.store import HistoryStore

MAX_EVENTS = 1000


def last_successful(store: HistoryStore) -> dict[tuple[str, str], str]:
    """(region, table) -> when its newest successful drill was recorded."""
    found: dict[tuple[str, str], str] = {}
    for event in store.events("restore_drill", limit=MAX_EVENTS):  # newest first
        data = event.get("data") or {}
        if data.get("outcome") == "succeeded":
            found.setdefault(
                (str(data.get("region")), str(data.get("table"))), event["recorded_at"]
            )
    return found


def drill_lines(findings: Iterable[Finding], drills: dict[tuple[str, str], str]) -> list[str]:
    """One line per scanned table that has a successful drill in the history."""
    tables = sorted(
        {(f.region or "", f.resource_id) for f in findings if f.resource_type == "table"}
    )
    lines = [
        f"  {table} ({region}): last successful restore drill {drills[(region, table)]}"
        for region, table in tables
        if (region, table) in drills
    ]
    return ["restore drills (from the history):", *lines] if lines else []
