"""DynamoDB table lifecycle: UPDATING after UpdateTable, and one update at a time (DDB-7).

moto reports every table ACTIVE at once, so code that must wait between updates is never
exercised. On AWS an UpdateTable puts the table in ``UPDATING`` (and an SSE key switch puts
``SSEDescription.Status`` in ``UPDATING``) until the change is done, and a second UpdateTable
meanwhile fails with ``ResourceInUseException``:
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html

Here a table stays UPDATING for the next ``settle_describes`` DescribeTable calls after an
UpdateTable (a deterministic stand-in for time). Off (0) by default so older fixtures that
update the same table back to back keep working; ``dynaguard demo`` and the harden tests turn
it on with :func:`set_update_settle`.
"""

from __future__ import annotations

import threading
from typing import Any

_UPDATING = "_dynaguard_updating_describes"
_SSE_UPDATING = "_dynaguard_sse_updating"
_settings = {"describes": 0}
_lock = threading.Lock()


def set_update_settle(describes: int) -> None:
    """How many DescribeTable calls a table reports UPDATING after an UpdateTable (0: never)."""
    if describes < 0:
        raise ValueError("describes must be >= 0")
    _settings["describes"] = describes


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    _patch_stream_reenable(DynamoDBBackend)
    _patch_update_table(DynamoHandler)
    _patch_describe_table(DynamoHandler)
    _patch_table_describe(Table)


def _patch_update_table(handler_cls: Any) -> None:
    """ResourceInUseException while UPDATING; UPDATING for a while after a change."""
    from moto.dynamodb.exceptions import ResourceInUseException

    original = handler_cls.update_table

    def update_table(self: Any) -> Any:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        with _lock:
            if getattr(table, _UPDATING, 0) > 0:
                raise ResourceInUseException(
                    f"Attempt to change a resource which is still in use: Table is being "
                    f"updated: {table.name}"
                )
        result = original(self)
        describes = _settings["describes"]
        if describes:
            with _lock:
                setattr(table, _UPDATING, describes)
                setattr(table, _SSE_UPDATING, "SSESpecification" in self.body)
        return result

    handler_cls.update_table = update_table


def _patch_describe_table(handler_cls: Any) -> None:
    """Each DescribeTable brings an updating table one step closer to ACTIVE."""
    original = handler_cls.describe_table

    def describe_table(self: Any) -> Any:
        result = original(self)
        table = self.dynamodb_backend.tables.get(self.body["TableName"])
        with _lock:
            left = getattr(table, _UPDATING, 0) if table is not None else 0
            if left > 0:
                setattr(table, _UPDATING, left - 1)
        return result

    handler_cls.describe_table = describe_table


def _patch_table_describe(table_cls: Any) -> None:
    original = table_cls.describe

    def describe(self: Any, base_key: str = "TableDescription") -> Any:
        result = original(self, base_key)
        if getattr(self, _UPDATING, 0) > 0:
            description = result[base_key]
            description["TableStatus"] = "UPDATING"
            sse = description.get("SSEDescription")
            if sse and getattr(self, _SSE_UPDATING, False):
                sse["Status"] = "UPDATING"
        return result

    table_cls.describe = describe


def _patch_stream_reenable(backend_cls: Any) -> None:
    """DDB-8: a disabled stream can be replaced by a new one (moto refused forever, because
    the old stream's label stays). Enabling while a stream is ON is still refused.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Enabling
    """
    from moto.dynamodb.exceptions import StreamAlreadyEnabledException

    def update_table_streams(self: Any, table: Any, stream_specification: dict[str, Any]) -> None:
        wants_on = stream_specification.get("StreamEnabled") or stream_specification.get(
            "StreamViewType"
        )
        is_on = bool((table.stream_specification or {}).get("StreamEnabled"))
        if wants_on and is_on:
            raise StreamAlreadyEnabledException
        table.set_stream_specification(stream_specification)

    backend_cls.update_table_streams = update_table_streams
