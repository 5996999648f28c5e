"""DDB.013: DynamoDB Streams enabled with an allowed view type (``stream_view_types``)."""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Table, Unknown


@control(
    id="DDB.013",
    title="DynamoDB Streams enabled with an allowed view type",
    severity="low",
    subject=Table,
    facts={"table.describe"},
    rationale="A stream records every item change for 24 hours: it feeds audit trails, "
    "replication and change-data-capture; the view type decides whether before/after images "
    "are available to them.",
    remediation="aws dynamodb update-table --table-name TABLE --stream-specification "
    "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES (opt-in in dynaguard harden: "
    "streams cost money)",
)
def table_stream_enabled(table: Table, ctx: Context) -> Verdict:
    fact = table.stream
    if isinstance(fact, Unknown):
        return unknown(f"stream settings unknown: {fact.reason}", fact.origin)
    stream = fact.value
    allowed = ctx.baseline.stream_view_types
    if not stream.enabled:
        return failed("DynamoDB Streams is disabled", fact.origin)
    if stream.view_type is None:
        return unknown("the stream is enabled but its view type is unknown", fact.origin)
    if stream.view_type not in allowed:
        return failed(
            f"stream view type is {stream.view_type}, not one of {', '.join(allowed)}",
            fact.origin,
        )
    return passed(f"DynamoDB Streams enabled with view type {stream.view_type}", fact.origin)
