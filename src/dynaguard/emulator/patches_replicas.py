"""DynamoDB global tables version 2019.11.21: UpdateTable ReplicaUpdates and Replicas[].

See the gap table in :mod:`dynaguard.emulator.patches`. A replica is a real moto table in its
own region (same schema and indexes, its own SSE, PITR off, no tags, no deletion protection).
Each member table records the set of member regions; DescribeTable derives ``Replicas[]``
from it and from the live member tables, so an SSE change made in a replica's region shows up
in every other region's description, as it does on AWS.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicationGroupUpdate.html
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from dynaguard.emulator.patches_kms import is_customer_key
from dynaguard.emulator.sse import normalize_sse, validation_error

GLOBAL_TABLE_VERSION = "2019.11.21"
_GROUP_ATTR = "_dynaguard_replica_regions"
_KEEP = object()  # an Update that does not touch the replica's key
_MISSING_KEY = "One or more parameter values were invalid: KMSMasterKeyId must be specified " + (
    "for each replica."
)


@dataclass(frozen=True, slots=True)
class ReplicaAction:
    kind: str  # create | update | delete
    region: str
    sse: Any = _KEEP  # normalised SSE state for the replica (None: AWS owned key)
    read_capacity: int | None = None  # ProvisionedThroughputOverride.ReadCapacityUnits


def install(backend_cls: Any, table_cls: Any) -> None:
    _patch_describe(table_cls)
    _patch_delete_table(backend_cls)


def _backend(account_id: str, region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[account_id][region]


def members(table: Any) -> list[str]:
    """Regions of the global table ``table`` belongs to (its own included), sorted."""
    regions = getattr(table, _GROUP_ATTR, None) or frozenset()
    return sorted(r for r in regions if table.name in _backend(table.account_id, r).tables)


def _set_group(account_id: str, name: str, regions: frozenset[str]) -> None:
    # Each member gets its own reference, so a table copied by moto (transactions deep-copy
    # tables for rollback) never holds a stale shared object.
    for region in regions:
        member = _backend(account_id, region).tables.get(name)
        if member is not None:
            setattr(member, _GROUP_ATTR, regions)


def plan_updates(table: Any, updates: list[dict[str, Any]]) -> list[ReplicaAction]:
    """Validate ``ReplicaUpdates`` against the current group; nothing is changed here."""
    account, name = table.account_id, table.name
    group = set(members(table)) or {table.region_name}
    plan: list[ReplicaAction] = []
    for update in updates:
        if "Create" in update:
            spec = update["Create"]
            region = _known_region(account, spec["RegionName"])
            if region in group or name in _backend(account, region).tables:
                raise validation_error(
                    f"Failed to create a the new replica of table with name: '{name}' because "
                    "one or more replicas already existed as tables."
                )
            _require_scalable_writes(table)
            sse = _replica_sse(table, region, spec.get("KMSMasterKeyId"))
            plan.append(ReplicaAction("create", region, sse, _read_override(spec)))
            group.add(region)
        elif "Update" in update:
            spec = update["Update"]
            region = spec["RegionName"]
            if region not in group:
                raise validation_error(
                    "Update global table operation failed because one or more replicas were "
                    f"not part of the global table: {region}"
                )
            key = spec.get("KMSMasterKeyId")
            sse = _KEEP
            if key:
                sse = normalize_sse(
                    account, region, {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
                )
            plan.append(ReplicaAction("update", region, sse, _read_override(spec)))
        elif "Delete" in update:
            region = update["Delete"]["RegionName"]
            _check_deletable(table, region, group)
            plan.append(ReplicaAction("delete", region))
            group.discard(region)
    return plan


def apply_updates(table: Any, plan: list[ReplicaAction]) -> None:
    account, name = table.account_id, table.name
    group = set(members(table)) or {table.region_name}
    for action in plan:
        if action.kind == "create":
            _create_replica(table, action)
            group.add(action.region)
            _set_group(account, name, frozenset(group))
        elif action.kind == "update":
            member = _backend(account, action.region).tables[name]
            if action.sse is not _KEEP:
                member.sse_specification = action.sse
            if action.read_capacity is not None and member.billing_mode != "PAY_PER_REQUEST":
                member.throughput["ReadCapacityUnits"] = action.read_capacity
        else:
            _backend(account, action.region).delete_table(name)  # unlinks, see below
            group.discard(action.region)


def _known_region(account_id: str, region: str) -> str:
    from moto.dynamodb.models import dynamodb_backends

    if region not in dynamodb_backends[account_id].regions:
        raise validation_error(f"Provided region {region} is not a valid DynamoDB region")
    return region


def _read_override(spec: dict[str, Any]) -> int | None:
    override = spec.get("ProvisionedThroughputOverride") or {}
    value = override.get("ReadCapacityUnits")
    return int(value) if value is not None else None


def _require_scalable_writes(table: Any) -> None:
    """AWS refuses replicas of a provisioned table whose write capacity is not auto scaled."""
    if table.billing_mode == "PAY_PER_REQUEST":
        return
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    aas = applicationautoscaling_backends[table.account_id][table.region_name]
    targets = aas.targets.get("dynamodb:table:WriteCapacityUnits", {})
    if f"table/{table.name}" not in targets:
        raise validation_error(
            "Table write capacity should either be Pay-Per-Request or AutoScaled."
        )


def _replica_sse(table: Any, region: str, key_ref: str | None) -> Any:
    """A new replica's key: the one given, else the source's kind of key in that region."""
    account = table.account_id
    if key_ref:
        spec = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_ref}
        return normalize_sse(account, region, spec)
    source = table.sse_specification or {}
    if source.get("Enabled") is not True:
        return None  # AWS owned key in every region
    if is_customer_key(account, table.region_name, source.get("KMSMasterKeyId")):
        raise validation_error(_MISSING_KEY)
    return normalize_sse(account, region, {"Enabled": True})  # AWS managed key there


def _check_deletable(table: Any, region: str, group: set[str]) -> None:
    if region == table.region_name:
        raise validation_error(
            f"Cannot delete the replica in {region} through its own table: use DeleteTable"
        )
    if region not in group:
        raise validation_error(
            f"Replica {region} of table {table.name} does not exist in the global table"
        )
    member = _backend(table.account_id, region).tables[table.name]
    if member.deletion_protection_enabled:
        from moto.dynamodb.exceptions import DeletionProtectedException

        raise DeletionProtectedException(table.name)


def _create_replica(source: Any, action: ReplicaAction) -> None:
    streams = source.stream_specification or {}
    if not streams.get("StreamEnabled"):
        # Version 2019.11.21 turns the source's stream on for replication.
        source.set_stream_specification(
            {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        )
        streams = source.stream_specification
    provisioned = source.billing_mode != "PAY_PER_REQUEST"
    throughput = None
    if provisioned:
        read = action.read_capacity or source.throughput["ReadCapacityUnits"]
        throughput = {
            "ReadCapacityUnits": read,
            "WriteCapacityUnits": source.throughput["WriteCapacityUnits"],
        }
    gsis = []
    for index in source.global_indexes:
        gsi: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": copy.deepcopy(index.schema),
            "Projection": copy.deepcopy(index.projection),
        }
        if provisioned:
            gsi["ProvisionedThroughput"] = {
                "ReadCapacityUnits": index.throughput["ReadCapacityUnits"],
                "WriteCapacityUnits": index.throughput["WriteCapacityUnits"],
            }
        gsis.append(gsi)
    lsis = [
        {"IndexName": i.name, "KeySchema": i.schema, "Projection": i.projection}
        for i in source.indexes
    ]
    replica = _backend(source.account_id, action.region).create_table(
        source.name,
        schema=copy.deepcopy(source.schema),
        throughput=throughput,
        attr=copy.deepcopy(source.attr),
        global_indexes=gsis,
        indexes=copy.deepcopy(lsis),
        streams={"StreamEnabled": True, "StreamViewType": streams.get("StreamViewType")},
        billing_mode=source.billing_mode,
        sse_specification=action.sse,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    replica.ttl = dict(source.ttl)  # TTL settings are kept aligned across replicas


def _replica_description(table: Any, region: str) -> dict[str, Any]:
    member = _backend(table.account_id, region).tables[table.name]
    description: dict[str, Any] = {"RegionName": region, "ReplicaStatus": "ACTIVE"}
    sse = member.sse_specification or {}
    key_arn = sse.get("KMSMasterKeyId") if sse.get("Enabled") is True else None
    if is_customer_key(table.account_id, region, key_arn):
        description["KMSMasterKeyId"] = key_arn
    return description


def _patch_describe(table_cls: Any) -> None:
    """DDB-4: Replicas[] lists the OTHER member regions, as AWS's DescribeTable does."""
    original = table_cls.describe

    def describe(self: Any, base_key: str = "TableDescription") -> Any:
        result = original(self, base_key)
        group = members(self)
        if len(group) > 1:
            description = result[base_key]
            description["GlobalTableVersion"] = GLOBAL_TABLE_VERSION
            description["Replicas"] = [
                _replica_description(self, r) for r in group if r != self.region_name
            ]
        return result

    table_cls.describe = describe


def _patch_delete_table(backend_cls: Any) -> None:
    """DDB-5: deleting a member table removes it from every other member's Replicas[]."""
    original = backend_cls.delete_table

    def delete_table(self: Any, name: str) -> Any:
        table = original(self, name)
        regions = getattr(table, _GROUP_ATTR, None)
        if regions:
            _set_group(self.account_id, name, frozenset(regions) - {self.region_name})
        return table

    backend_cls.delete_table = delete_table
