"""DDB.003: deletion protection on, so a table cannot be deleted by one mistaken call."""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Table, Unknown


@control(
    id="DDB.003",
    title="Table deletion protection enabled",
    severity="medium",
    subject=Table,
    facts={"table.describe"},
    rationale="DeleteTable removes the table and, unless backups exist, all its data; deletion "
    "protection makes deletion a deliberate two-step act.",
    remediation="aws dynamodb update-table --table-name TABLE --deletion-protection-enabled "
    "(or: dynaguard harden)",
)
def table_deletion_protection_enabled(table: Table, ctx: Context) -> Verdict:
    fact = table.deletion_protection
    if isinstance(fact, Unknown):
        return unknown(f"deletion protection setting unknown: {fact.reason}", fact.origin)
    if fact.value:
        return passed("deletion protection is enabled", fact.origin)
    return failed(
        "deletion protection is disabled: one DeleteTable call deletes the table", fact.origin
    )
