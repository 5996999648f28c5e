"""DDB-9: RestoreTableToPointInTime honours the overrides a restore drill sends.

moto copies the source's schema, indexes and items and ignores every other parameter; AWS
applies ``SSESpecificationOverride`` (the restored table's key: owned, AWS managed, or the
given customer key, stored as its ARN) and ``BillingModeOverride``, and refuses a restore
from a table without point-in-time recovery (``PointInTimeRecoveryUnavailableException``).
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
"""

from __future__ import annotations

from typing import Any

from dynaguard.emulator.sse import normalize_sse


def _pitr_unavailable(table: str) -> Exception:
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException

    return DynamodbException(
        ERROR_TYPE_PREFIX + "PointInTimeRecoveryUnavailableException",
        message=f"Point in time recovery is not enabled for table '{table}'",
    )


def install() -> None:
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    handler: Any = DynamoHandler
    original = handler.restore_table_to_point_in_time

    def restore_table_to_point_in_time(self: Any) -> Any:
        body = self.body
        source = self.dynamodb_backend.get_table(body.get("SourceTableName"))
        pitr = getattr(source, "continuous_backups", {}) or {}
        status = (pitr.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
        if status != "ENABLED":
            raise _pitr_unavailable(source.name)
        override = body.get("SSESpecificationOverride")
        sse = normalize_sse(self.current_account, self.region, override) if override else None
        original(self)
        table = self.dynamodb_backend.get_table(body["TargetTableName"])
        if override is not None:
            table.sse_specification = sse
        if body.get("BillingModeOverride"):
            table.billing_mode = body["BillingModeOverride"]
        return DynamoResult(table.describe())

    handler.restore_table_to_point_in_time = restore_table_to_point_in_time
