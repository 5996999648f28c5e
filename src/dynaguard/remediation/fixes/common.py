"""Helpers shared by the fixes: resource refs, table steps, key choice."""

from __future__ import annotations

from typing import Any

from dynaguard.model import AWS_MANAGED_DYNAMODB_ALIAS, Table
from dynaguard.remediation.base import ApiStep, Options, ResourceRef

AWS_MANAGED_KEY = AWS_MANAGED_DYNAMODB_ALIAS


def table_ref(table: Table) -> ResourceRef:
    return ResourceRef("table", table.name, table.region, table.account_id)


def table_step(action: str, table: str, region: str, **params: Any) -> ApiStep:
    """A DynamoDB call on ``table`` in ``region``, then wait for the table to settle."""
    return ApiStep(action, region, {"TableName": table, **params}, wait="table", table=table)


def create_key_id(region: str) -> str:
    return f"create-key:{region}"


def key_for_region(region: str, options: Options) -> tuple[str | None, tuple[str, ...]]:
    """The customer key to use in ``region`` and the prelude it needs (a key to create)."""
    keys = options.settings.kms_key
    key = keys.get(region) or keys.get("*")
    if key:
        return key, ()
    if options.create_key:
        return options.create_key_alias, (create_key_id(region),)
    return None, ()


def no_key_reason(region: str) -> str:
    return (
        f"no customer managed key configured for {region}: set harden.kms_key, pass "
        "--kms-key, or --create-key"
    )
