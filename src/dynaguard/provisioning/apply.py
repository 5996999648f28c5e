"""Apply a plan: CreateTable, wait for ACTIVE, then each post-create step, each verified by
re-reading what it changed. Stops at the first failure (later steps depend on earlier ones:
a replica of a provisioned table needs its write auto scaling) and reports what was done.

DynamoDB allows one update at a time per table, so every step waits for the table (and its
indexes and replicas) to be ACTIVE again before the next one.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.logs import get_logger
from dynaguard.model.aws_rules import DEFAULT_PITR_DAYS
from dynaguard.provisioning.step import Step

log = get_logger("provision")
RETRYABLE_RIGHT_AFTER_CREATE = ("ContinuousBackupsUnavailableException", "ResourceInUseException")


@dataclass(frozen=True, slots=True)
class Waiting:
    """How long to wait for ACTIVE: poll every ``delay_s`` up to ``timeout_s``."""

    delay_s: float = 5.0
    timeout_s: float = 1800.0  # a replica of a large table can take long


@dataclass(frozen=True, slots=True)
class StepResult:
    summary: str
    action: str
    region: str
    status: str  # verified | failed | not_attempted
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "summary": self.summary,
            "action": self.action,
            "region": self.region,
            "status": self.status,
            "detail": self.detail,
        }


class StepFailed(Exception):
    pass


ClientFor = Callable[[str, str], Any]  # (service, region) -> boto3 client


class Executor:
    def __init__(
        self, client_for: ClientFor, table_name: str, region: str, waiting: Waiting
    ) -> None:
        self.client_for = client_for
        self.table_name = table_name
        self.region = region
        self.waiting = waiting

    def ddb(self, region: str | None = None) -> Any:
        return self.client_for("dynamodb", region or self.region)

    def create(self, request: Mapping[str, Any]) -> StepResult:
        summary = f"create table {self.table_name}"
        try:
            self.ddb().create_table(**request)
            self.wait_active(self.region)
            self._verify_created(request)
        except (ClientError, BotoCoreError, StepFailed) as exc:
            return StepResult(summary, "dynamodb:CreateTable", self.region, "failed", _why(exc))
        return StepResult(
            summary,
            "dynamodb:CreateTable",
            self.region,
            "verified",
            "table ACTIVE; encryption, deletion protection and tags as requested",
        )

    def run_step(self, step: Step) -> StepResult:
        try:
            self._call(step)
            VERIFIERS[step.kind](self, step)
        except (ClientError, BotoCoreError, StepFailed) as exc:
            return StepResult(step.summary, step.action, step.region, "failed", _why(exc))
        return StepResult(step.summary, step.action, step.region, "verified")

    def _call(self, step: Step) -> None:
        client = self.client_for(step.service, step.region)
        method = getattr(client, _snake(step.operation))
        deadline = time.monotonic() + self.waiting.timeout_s
        while True:
            try:
                method(**step.params)
                break
            except ClientError as exc:  # PITR is briefly unavailable right after CreateTable
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE_RIGHT_AFTER_CREATE or time.monotonic() > deadline:
                    raise
                time.sleep(self.waiting.delay_s)
        if step.service == "dynamodb":
            self.wait_active(self.region)

    def wait_active(self, region: str) -> Mapping[str, Any]:
        """Poll DescribeTable until the table, its indexes and replicas are all ACTIVE."""
        deadline = time.monotonic() + self.waiting.timeout_s
        while True:
            table: Mapping[str, Any] = self.ddb(region).describe_table(TableName=self.table_name)[
                "Table"
            ]
            if _all_active(table):
                return table
            if time.monotonic() > deadline:
                raise StepFailed(f"table {self.table_name} in {region} not ACTIVE in time")
            time.sleep(self.waiting.delay_s)

    def _verify_created(self, request: Mapping[str, Any]) -> None:
        table = self.ddb().describe_table(TableName=self.table_name)["Table"]
        if bool(table.get("DeletionProtectionEnabled")) != request["DeletionProtectionEnabled"]:
            raise StepFailed("deletion protection is not as requested")
        sse = request.get("SSESpecification")
        live_sse = table.get("SSEDescription") or {}
        if sse and live_sse.get("SSEType") != "KMS":
            raise StepFailed(f"table is not KMS encrypted: {live_sse or 'AWS owned key'}")


def _all_active(table: Mapping[str, Any]) -> bool:
    statuses = [table.get("TableStatus")]
    statuses += [g.get("IndexStatus") for g in table.get("GlobalSecondaryIndexes") or ()]
    statuses += [r.get("ReplicaStatus") for r in table.get("Replicas") or ()]
    return all(s == "ACTIVE" for s in statuses)


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


def _why(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
    return str(exc)


# --- verification: re-read what each step changed ----------------------------------------


def _verify_pitr(ex: Executor, step: Step) -> None:
    response = ex.ddb(step.region).describe_continuous_backups(TableName=ex.table_name)
    pitr = response["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription") or {}
    wanted = step.params["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"]
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        raise StepFailed(f"PITR is {pitr.get('PointInTimeRecoveryStatus', 'not reported')}")
    days = pitr.get("RecoveryPeriodInDays", DEFAULT_PITR_DAYS)
    if days != wanted:
        raise StepFailed(f"PITR window is {days} days, not {wanted}")


def _verify_ttl(ex: Executor, step: Step) -> None:
    ttl = ex.ddb().describe_time_to_live(TableName=ex.table_name)["TimeToLiveDescription"]
    wanted = step.params["TimeToLiveSpecification"]["AttributeName"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        raise StepFailed(f"TTL is {ttl.get('TimeToLiveStatus')}")
    if ttl.get("AttributeName") != wanted:
        raise StepFailed(f"TTL attribute is {ttl.get('AttributeName')}, not {wanted}")


def _verify_target(ex: Executor, step: Step) -> None:
    p = step.params
    targets = ex.client_for("application-autoscaling", step.region).describe_scalable_targets(
        ServiceNamespace="dynamodb",
        ResourceIds=[p["ResourceId"]],
        ScalableDimension=p["ScalableDimension"],
    )["ScalableTargets"]
    if not any(
        (t["MinCapacity"], t["MaxCapacity"]) == (p["MinCapacity"], p["MaxCapacity"])
        for t in targets
    ):
        raise StepFailed(f"no scalable target {p['ResourceId']} {p['ScalableDimension']}")


def _verify_policy(ex: Executor, step: Step) -> None:
    p = step.params
    policies = ex.client_for("application-autoscaling", step.region).describe_scaling_policies(
        ServiceNamespace="dynamodb",
        ResourceId=p["ResourceId"],
        ScalableDimension=p["ScalableDimension"],
        PolicyNames=[p["PolicyName"]],
    )["ScalingPolicies"]
    if not any(x.get("PolicyType") == "TargetTrackingScaling" for x in policies):
        raise StepFailed(f"no target-tracking policy {p['PolicyName']}")


def _verify_policy_document(ex: Executor, step: Step) -> None:
    live = ex.ddb().get_resource_policy(ResourceArn=step.params["ResourceArn"])["Policy"]
    if json.loads(live) != json.loads(step.params["Policy"]):
        raise StepFailed("the resource policy read back differs from the one written")


def _verify_replica(ex: Executor, step: Step) -> None:
    region = step.params["ReplicaUpdates"][0]["Create"]["RegionName"]
    table = ex.wait_active(ex.region)
    if region not in {r["RegionName"] for r in table.get("Replicas") or ()}:
        raise StepFailed(f"the table lists no replica in {region}")
    replica = ex.wait_active(region)
    wanted_key = step.params["ReplicaUpdates"][0]["Create"].get("KMSMasterKeyId")
    live_key = (replica.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    if wanted_key and live_key is None:
        raise StepFailed(f"the replica in {region} is not encrypted with {wanted_key}")


def _verify_alarm(ex: Executor, step: Step) -> None:
    name = str(step.params["AlarmName"])
    found = ex.client_for("cloudwatch", step.region).describe_alarms(AlarmNames=[name])
    alarms = found.get("MetricAlarms") or ()
    if not alarms or list(alarms[0].get("AlarmActions") or ()) != step.params["AlarmActions"]:
        raise StepFailed(f"alarm {name} not found with its action when read back")


VERIFIERS: dict[str, Callable[[Executor, Step], None]] = {
    "pitr": _verify_pitr,
    "replica_pitr": _verify_pitr,
    "ttl": _verify_ttl,
    "scaling_target": _verify_target,
    "scaling_policy": _verify_policy,
    "resource_policy": _verify_policy_document,
    "replica": _verify_replica,
    "alarm": _verify_alarm,
}


def apply_plan(
    executor: Executor, request: Mapping[str, Any], steps: list[Step]
) -> list[StepResult]:
    """Create, then each step; after a failure the rest are reported as not attempted."""
    results = [executor.create(request)]
    for step in steps:
        if results[-1].status != "verified":
            results.append(StepResult(step.summary, step.action, step.region, "not_attempted"))
            continue
        log.info("provision step: %s", step.summary)
        results.append(executor.run_step(step))
    return results
