"""DDB.014: Time to Live enabled.

ENABLED passes; ENABLING also passes (the setting is accepted and takes effect within about an
hour; nothing the user can do speeds it up). DISABLED and DISABLING fail. The fix needs an
explicit per-table attribute: a guessed attribute could expire live data.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Table, Unknown


@control(
    id="DDB.014",
    title="Time to Live enabled",
    severity="low",
    subject=Table,
    facts={"table.ttl"},
    rationale="TTL expires items that are no longer needed at no cost, limiting how much "
    "stale (often personal) data the table retains.",
    remediation="aws dynamodb update-time-to-live --table-name TABLE "
    "--time-to-live-specification Enabled=true,AttributeName=ATTRIBUTE (dynaguard harden only "
    "with ttl_attributes configured for the table: a wrong attribute deletes live items)",
)
def table_ttl_enabled(table: Table, ctx: Context) -> Verdict:
    fact = table.ttl
    if isinstance(fact, Unknown):
        return unknown(f"Time to Live status unknown: {fact.reason}", fact.origin)
    ttl = fact.value
    status = ttl.status.upper()
    on = f" on attribute {ttl.attribute}" if ttl.attribute else ""
    if status == "ENABLED":
        return passed(f"Time to Live is enabled{on}", fact.origin)
    if status == "ENABLING":
        return passed(
            f"Time to Live is being enabled{on} (takes effect within about an hour)", fact.origin
        )
    if status in ("DISABLED", "DISABLING"):
        return failed(f"Time to Live is {status.lower()}", fact.origin)
    return unknown(f"unrecognised Time to Live status {ttl.status!r}", fact.origin)
