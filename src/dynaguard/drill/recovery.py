"""Find and delete the scratch tables of drills that never finished (a kill, a crash).

A drill journals ``restore_requested`` (with the scratch table's name, region and account)
before it calls RestoreTableToPointInTime, and ``scratch_deleted`` or ``kept`` when it is done
with the table. A drill journal with the first and neither of the others left a scratch table
behind: the next drill deletes it (in the same account; another account's is reported) and
appends ``scratch_deleted`` (or ``scratch_gone``) to that journal. Only names a drill generates
are ever deleted.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from dynaguard.drill.names import is_scratch_table
from dynaguard.logs import get_logger
from dynaguard.remediation.journal import Journal

log = get_logger("drill")
CLOSED = frozenset({"scratch_deleted", "scratch_gone", "kept"})


@dataclass(frozen=True, slots=True)
class Leftover:
    run_id: str
    table: str
    region: str
    account_id: str


def _events(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):  # a line cut by a kill
            events.append(json.loads(line))
    return events


def leftovers(state_dir: Path) -> list[Leftover]:
    """Scratch tables that drill journals requested and never closed, oldest first."""
    found = []
    for path in sorted((state_dir / "runs").glob("*.jsonl")):
        events = _events(path)
        if not events or events[0].get("event") != "run" or events[0].get("kind") != "drill":
            continue
        kinds = {e.get("event") for e in events}
        requested = next((e for e in events if e.get("event") == "restore_requested"), None)
        if requested is None or kinds & CLOSED:
            continue
        found.append(
            Leftover(
                path.stem,
                str(requested.get("scratch_table")),
                str(requested.get("region")),
                str(requested.get("account_id")),
            )
        )
    return found


def delete_leftovers(
    state_dir: Path,
    client_for: Callable[[str], Any],
    account_id: str,
    run_id: str,
    poll_s: float = 2.0,
    timeout_s: float = 3600.0,
) -> tuple[list[str], list[str]]:
    """Delete this account's leftover scratch tables: (deleted or gone, left with the reason)."""
    done, left = [], []
    for item in leftovers(state_dir):
        label = f"{item.table} ({item.region}, drill {item.run_id})"
        if item.account_id != account_id or not is_scratch_table(item.table):
            left.append(f"{label}: account {item.account_id}, not this one ({account_id})")
            continue
        journal = Journal(state_dir, item.run_id)
        client = client_for(item.region)
        try:
            if _wait_deletable(client, item.table, poll_s, timeout_s) != "DELETING":
                client.delete_table(TableName=item.table)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                journal.write("scratch_gone", scratch_table=item.table, by_run=run_id)
                done.append(f"{label}: already gone")
                continue
            left.append(f"{label}: {exc}")
            continue
        journal.write("scratch_deleted", scratch_table=item.table, by_run=run_id)
        log.warning("deleted scratch table %s left by drill %s", item.table, item.run_id)
        done.append(f"{label}: deleted")
    return done, left


def _wait_deletable(client: Any, table: str, poll_s: float, timeout_s: float) -> str:
    """A table being created (a restore still running) cannot be deleted yet: wait for it.
    Returns the status it settled in (DELETING: someone is deleting it already)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = str(client.describe_table(TableName=table)["Table"].get("TableStatus"))
        if status != "CREATING" or time.monotonic() > deadline:
            return status
        time.sleep(poll_s)
