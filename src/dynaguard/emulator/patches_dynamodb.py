"""DynamoDB gaps: table encryption (SSE) on create and update, and the UpdateTable entry point.

See the gap table in :mod:`dynaguard.emulator.patches`. Global-table replicas live in
:mod:`dynaguard.emulator.patches_replicas`; this module routes UpdateTable to them.
"""

from __future__ import annotations

from typing import Any

from dynaguard.emulator import patches_replicas
from dynaguard.emulator.sse import normalize_sse


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    _patch_create_table(DynamoDBBackend)
    _patch_update_table(DynamoHandler)
    _patch_resource_policies(DynamoDBBackend)
    patches_replicas.install(DynamoDBBackend, Table)


def _patch_create_table(backend_cls: Any) -> None:
    """DDB-2: CreateTable stores the key ARN (not the id/alias given) and rejects bad keys."""
    original = backend_cls.create_table

    def create_table(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if "sse_specification" in kwargs:
            kwargs["sse_specification"] = normalize_sse(
                self.account_id, self.region_name, kwargs["sse_specification"]
            )
        return original(self, name, *args, **kwargs)

    backend_cls.create_table = create_table


def _patch_update_table(handler_cls: Any) -> None:
    """DDB-1 and DDB-3: UpdateTable honours SSESpecification and ReplicaUpdates.

    Everything is validated before anything changes, so a refused request has no effect.
    """
    from moto.dynamodb.responses import DynamoResult

    original = handler_cls.update_table

    def update_table(self: Any) -> Any:
        body = self.body
        sse_spec = body.get("SSESpecification")
        replica_updates = body.get("ReplicaUpdates") or []
        if sse_spec is None and not replica_updates:
            return original(self)
        account, region = self.current_account, self.region
        table = self.dynamodb_backend.get_table(body["TableName"])
        new_sse = normalize_sse(account, region, sse_spec) if sse_spec is not None else None
        plan = patches_replicas.plan_updates(table, replica_updates)
        original(self)  # the parts moto already handles (throughput, streams, GSIs, ...)
        if sse_spec is not None:
            table.sse_specification = new_sse
        patches_replicas.apply_updates(table, plan)
        return DynamoResult(table.describe())

    handler_cls.update_table = update_table


def _policy_target(backend: Any, resource_arn: str) -> str:
    """The table a table or stream ARN names; a stream must be the table's current one."""
    from moto.dynamodb.exceptions import ResourceNotFoundException

    path = resource_arn.split(":", 5)[-1].split("/")  # table/NAME[/stream/LABEL]
    name = path[1] if len(path) > 1 and path[0] == "table" else resource_arn
    table = backend.tables.get(name)
    is_table = len(path) == 2
    is_stream = len(path) == 4 and path[2] == "stream"
    if table is None or not (is_table or (is_stream and table.latest_stream_label == path[3])):
        raise ResourceNotFoundException(f"Requested resource not found: {resource_arn}")
    return str(name)


def _patch_resource_policies(backend_cls: Any) -> None:
    """DDB-6: resource policies on stream ARNs, and PolicyNotFoundException when none.

    moto took the last ARN segment (a stream's label) as the table name, so every call on a
    stream ARN failed with ResourceNotFoundException; DeleteResourcePolicy without a policy said
    ResourceNotFound where AWS says PolicyNotFoundException.
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html
    """
    from moto.dynamodb.exceptions import PolicyNotFoundException
    from moto.dynamodb.models.table import ResourcePolicy

    def not_found(detail: str) -> Exception:
        return PolicyNotFoundException(
            f"Resource-based policy not found for the provided ResourceArn: {detail}"
        )

    def get_resource_policy(self: Any, resource_arn: str) -> Any:
        _policy_target(self, resource_arn)
        if resource_arn not in self.resource_policies:
            raise not_found(resource_arn)
        return self.resource_policies[resource_arn]

    def put_resource_policy(
        self: Any, resource_arn: str, policy_doc: str, expected_revision_id: str | None
    ) -> Any:
        _policy_target(self, resource_arn)
        current = self.resource_policies.get(resource_arn)
        if current is None and expected_revision_id not in (None, "NO_POLICY"):
            raise not_found(f"no policy, expected revision {expected_revision_id}")
        if current is not None:
            if expected_revision_id == "NO_POLICY":
                raise not_found(f"a policy exists with revision id {current.revision_id}")
            if expected_revision_id and current.revision_id != expected_revision_id:
                raise not_found(f"the policy has revision id {current.revision_id}")
            if current.policy_doc == policy_doc:
                return current
        policy = ResourcePolicy(resource_arn=resource_arn, policy_doc=policy_doc)
        self.resource_policies[resource_arn] = policy
        return policy

    def delete_resource_policy(
        self: Any, resource_arn: str, expected_revision_id: str | None
    ) -> None:
        policy = get_resource_policy(self, resource_arn)
        if expected_revision_id and policy.revision_id != expected_revision_id:
            raise not_found(f"the policy has revision id {policy.revision_id}")
        del self.resource_policies[resource_arn]

    backend_cls.put_resource_policy = put_resource_policy
    backend_cls.get_resource_policy = get_resource_policy
    backend_cls.delete_resource_policy = delete_resource_policy
