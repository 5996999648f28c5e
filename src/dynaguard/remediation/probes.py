"""Reading back whether one API call's effect is in place, for every call harden and undo make.

A change left ``pending`` by a kill is settled by probing its calls (reconcile.py); undo probes
each restoring call before making it and skips the ones already in effect, so undo is safe to
run again and after a change that was only partly applied. A probe waits for the resource to
settle first (an SSE switch in progress ends in one state or the other), then reads it with
the same read-only calls the audit makes. ``in_effect`` is None when the state cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.remediation.base import ApiStep
from dynaguard.remediation.steps import ChangeFailed, StepRunner, service_of

NOT_FOUND = frozenset(
    {
        "ResourceNotFoundException",
        "PolicyNotFoundException",
        "ObjectNotFoundException",
        "NotFoundException",
        "ClusterNotFoundFault",
        "InvalidVpcEndpointId.NotFound",
        "InvalidVpcEndpointId.Malformed",
    }
)
GONE_ENDPOINT_STATES = frozenset({"deleted", "deleting", "failed", "rejected", "expired"})
# Filled at apply time and not needed to read the effect back (the endpoint is found by VPC).
NOT_READ_BACK = frozenset({"RouteTableIds"})


@dataclass(frozen=True, slots=True)
class Probe:
    in_effect: bool | None  # None: the state could not be read
    outputs: Mapping[str, Any] = field(default_factory=dict)  # ids a later undo needs
    reason: str = ""


ProbeFn = Callable[[ApiStep, StepRunner], Probe]


def probe(step: ApiStep, runner: StepRunner) -> Probe:
    """Whether ``step``'s effect is in place now (its parameters filled)."""
    check = PROBES.get(step.action)
    if check is None:
        return Probe(None, reason=f"{step.action} cannot be read back")
    used = (v for k, v in step.params.items() if k not in NOT_READ_BACK)
    if any("{{" in json.dumps(v, default=str) for v in used):
        return Probe(None, reason=f"{step.action}: the journal lacks the ids to read it back")
    try:
        return check(step, runner)
    except ChangeFailed as exc:
        return Probe(None, reason=str(exc))
    except (KeyError, TypeError, ValueError) as exc:  # an answer of an unexpected shape
        return Probe(None, reason=f"{step.action}: unexpected answer ({exc!r})")


def _read(runner: StepRunner, action: str, region: str, **params: Any) -> dict[str, Any] | None:
    """A read; None when AWS says the thing does not exist. Other errors: ChangeFailed."""
    service, operation = service_of(action)
    try:
        response: dict[str, Any] = getattr(runner.client(service, region), xform_name(operation))(
            **params
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in NOT_FOUND:
            return None
        raise ChangeFailed(f"{action} in {region}: {exc}") from None
    except BotoCoreError as exc:
        raise ChangeFailed(f"{action} in {region}: {exc}") from None
    return response


def _key_arn(runner: StepRunner, key_ref: str, region: str) -> str | None:
    found = _read(runner, "kms:DescribeKey", region, KeyId=key_ref)
    return str(found["KeyMetadata"]["Arn"]) if found else None


def _key_manager(runner: StepRunner, key_arn: str, region: str) -> str | None:
    found = _read(runner, "kms:DescribeKey", region, KeyId=key_arn)
    return str(found["KeyMetadata"].get("KeyManager")) if found else None


# -- DynamoDB -----------------------------------------------------------------------------


def _table(runner: StepRunner, name: str, region: str) -> dict[str, Any]:
    runner.wait_for_table(name, region)
    found = _read(runner, "dynamodb:DescribeTable", region, TableName=name)
    if found is None:
        raise ChangeFailed(f"table {name} not found in {region}")
    return dict(found["Table"])


def _sse_matches(
    sse: Mapping[str, Any] | None, want: Mapping[str, Any], region: str, runner: StepRunner
) -> bool:
    """``want`` is an SSESpecification: owned key, AWS managed key, or a given key."""
    enabled = sse is not None and sse.get("Status", "ENABLED") != "DISABLED"
    if want.get("Enabled") is not True:
        return not enabled
    arn = str((sse or {}).get("KMSMasterKeyArn") or "")
    if not enabled or not arn:
        return False
    if want.get("KMSMasterKeyId"):
        return arn == _key_arn(runner, str(want["KMSMasterKeyId"]), region)
    return _key_manager(runner, arn, region) == "AWS"


def _stream_matches(spec: Mapping[str, Any] | None, want: Mapping[str, Any]) -> bool:
    enabled = bool(spec and spec.get("StreamEnabled"))
    if not want.get("StreamEnabled"):
        return not enabled
    return enabled and (spec or {}).get("StreamViewType") == want.get("StreamViewType")


def probe_update_table(step: ApiStep, runner: StepRunner) -> Probe:
    params, region = step.params, step.region
    table = _table(runner, str(params["TableName"]), region)
    checks: list[bool] = []
    if "DeletionProtectionEnabled" in params:
        checks.append(
            bool(table.get("DeletionProtectionEnabled"))
            is bool(params["DeletionProtectionEnabled"])
        )
    if "SSESpecification" in params:
        checks.append(
            _sse_matches(table.get("SSEDescription"), params["SSESpecification"], region, runner)
        )
    if "StreamSpecification" in params:
        checks.append(
            _stream_matches(table.get("StreamSpecification"), params["StreamSpecification"])
        )
    for update in params.get("ReplicaUpdates") or ():
        want = update["Update"]
        replica = _table(runner, str(params["TableName"]), str(want["RegionName"]))
        spec = {"Enabled": True, "KMSMasterKeyId": want["KMSMasterKeyId"]}
        checks.append(
            _sse_matches(replica.get("SSEDescription"), spec, str(want["RegionName"]), runner)
        )
    if not checks:
        return Probe(None, reason="an UpdateTable that dynaguard does not read back")
    return Probe(all(checks))


def probe_pitr(step: ApiStep, runner: StepRunner) -> Probe:
    name, region = str(step.params["TableName"]), step.region
    runner.wait_for_table(name, region)
    found = _read(runner, "dynamodb:DescribeContinuousBackups", region, TableName=name)
    if found is None:
        raise ChangeFailed(f"table {name} not found in {region}")
    pitr = found["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription") or {}
    status = pitr.get("PointInTimeRecoveryStatus")
    spec = step.params["PointInTimeRecoverySpecification"]
    if not spec.get("PointInTimeRecoveryEnabled"):
        return Probe(status == "DISABLED")
    days = spec.get("RecoveryPeriodInDays")
    window = pitr.get("RecoveryPeriodInDays", 35)
    return Probe(status in ("ENABLED", "ENABLING") and (days is None or window == days))


def probe_ttl(step: ApiStep, runner: StepRunner) -> Probe:
    name, region = str(step.params["TableName"]), step.region
    found = _read(runner, "dynamodb:DescribeTimeToLive", region, TableName=name)
    if found is None:
        raise ChangeFailed(f"table {name} not found in {region}")
    ttl = found.get("TimeToLiveDescription") or {}
    spec = step.params["TimeToLiveSpecification"]
    if spec.get("Enabled"):
        return Probe(
            ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            and ttl.get("AttributeName") == spec.get("AttributeName")
        )
    return Probe(ttl.get("TimeToLiveStatus", "DISABLED") in ("DISABLED", "DISABLING"))


def _tags(runner: StepRunner, arn: str, region: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    params: dict[str, Any] = {"ResourceArn": arn}
    while True:
        page = _read(runner, "dynamodb:ListTagsOfResource", region, **params)
        if page is None:
            raise ChangeFailed(f"{arn} not found")
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags") or ()})
        if not page.get("NextToken"):
            return tags
        params["NextToken"] = page["NextToken"]


def probe_tag(step: ApiStep, runner: StepRunner) -> Probe:
    tags = _tags(runner, str(step.params["ResourceArn"]), step.region)
    return Probe(all(tags.get(t["Key"]) == t["Value"] for t in step.params["Tags"]))


def probe_untag(step: ApiStep, runner: StepRunner) -> Probe:
    tags = _tags(runner, str(step.params["ResourceArn"]), step.region)
    return Probe(not any(k in tags for k in step.params["TagKeys"]))


def _policy(runner: StepRunner, arn: str, region: str) -> Any:
    found = _read(runner, "dynamodb:GetResourcePolicy", region, ResourceArn=arn)
    return json.loads(found["Policy"]) if found and found.get("Policy") else None


def probe_put_policy(step: ApiStep, runner: StepRunner) -> Probe:
    now = _policy(runner, str(step.params["ResourceArn"]), step.region)
    return Probe(now is not None and now == json.loads(str(step.params["Policy"])))


def probe_delete_policy(step: ApiStep, runner: StepRunner) -> Probe:
    return Probe(_policy(runner, str(step.params["ResourceArn"]), step.region) is None)


# -- Application Auto Scaling, AWS Backup, DAX, EC2, KMS --------------------------------------


def _target(step: ApiStep, runner: StepRunner) -> dict[str, Any] | None:
    p = step.params
    found = _read(
        runner,
        "application-autoscaling:DescribeScalableTargets",
        step.region,
        ServiceNamespace=p["ServiceNamespace"],
        ResourceIds=[p["ResourceId"]],
        ScalableDimension=p["ScalableDimension"],
    )
    targets = (found or {}).get("ScalableTargets") or []
    return dict(targets[0]) if targets else None


def probe_register_target(step: ApiStep, runner: StepRunner) -> Probe:
    target = _target(step, runner)
    if target is None:
        return Probe(False)
    bounds = ("MinCapacity", "MaxCapacity")
    return Probe(all(target.get(b) == step.params[b] for b in bounds if b in step.params))


def probe_deregister_target(step: ApiStep, runner: StepRunner) -> Probe:
    return Probe(_target(step, runner) is None)


def _has_policy(step: ApiStep, runner: StepRunner) -> bool:
    p = step.params
    found = _read(
        runner,
        "application-autoscaling:DescribeScalingPolicies",
        step.region,
        ServiceNamespace=p["ServiceNamespace"],
        ResourceId=p["ResourceId"],
        ScalableDimension=p["ScalableDimension"],
        PolicyNames=[p["PolicyName"]],
    )
    return bool((found or {}).get("ScalingPolicies"))


def _selections(runner: StepRunner, plan_id: str, region: str) -> list[dict[str, Any]]:
    found = _read(runner, "backup:ListBackupSelections", region, BackupPlanId=plan_id)
    return list((found or {}).get("BackupSelectionsList") or ())


def probe_create_selection(step: ApiStep, runner: StepRunner) -> Probe:
    plan_id = str(step.params["BackupPlanId"])
    name = step.params["BackupSelection"]["SelectionName"]
    for selection in _selections(runner, plan_id, step.region):
        if selection.get("SelectionName") == name:
            ids = {"BackupPlanId": plan_id, "SelectionId": selection["SelectionId"]}
            return Probe(True, ids)
    return Probe(False)


def probe_delete_selection(step: ApiStep, runner: StepRunner) -> Probe:
    listed = _selections(runner, str(step.params["BackupPlanId"]), step.region)
    return Probe(all(s.get("SelectionId") != step.params["SelectionId"] for s in listed))


def _dax_nodes(step: ApiStep, runner: StepRunner) -> int:
    name = str(step.params["ClusterName"])
    runner.wait_for_dax(name, step.region)
    found = _read(runner, "dax:DescribeClusters", step.region, ClusterNames=[name])
    clusters = (found or {}).get("Clusters") or []
    if not clusters:
        raise ChangeFailed(f"DAX cluster {name} not found in {step.region}")
    return int(clusters[0].get("TotalNodes") or 0)


def probe_create_endpoint(step: ApiStep, runner: StepRunner) -> Probe:
    filters = [
        {"Name": "vpc-id", "Values": [step.params["VpcId"]]},
        {"Name": "service-name", "Values": [step.params["ServiceName"]]},
    ]
    found = _read(runner, "ec2:DescribeVpcEndpoints", step.region, Filters=filters) or {}
    for endpoint in found.get("VpcEndpoints") or ():
        if str(endpoint.get("State", "")).lower() not in GONE_ENDPOINT_STATES:
            return Probe(True, {"VpcEndpointId": endpoint["VpcEndpointId"]})
    return Probe(False)


def probe_delete_endpoints(step: ApiStep, runner: StepRunner) -> Probe:
    ids = list(step.params["VpcEndpointIds"])
    found = _read(runner, "ec2:DescribeVpcEndpoints", step.region, VpcEndpointIds=ids) or {}
    live = [
        e
        for e in found.get("VpcEndpoints") or ()
        if str(e.get("State", "")).lower() not in GONE_ENDPOINT_STATES
    ]
    return Probe(not live)


def _rotation(step: ApiStep, runner: StepRunner) -> bool:
    found = _read(runner, "kms:GetKeyRotationStatus", step.region, KeyId=step.params["KeyId"])
    if found is None:
        raise ChangeFailed(f"key {step.params['KeyId']} not found in {step.region}")
    return bool(found.get("KeyRotationEnabled"))


def _alarm_names(step: ApiStep, runner: StepRunner, names: list[str]) -> set[str]:
    found = _read(runner, "cloudwatch:DescribeAlarms", step.region, AlarmNames=names) or {}
    return {str(a.get("AlarmName")) for a in found.get("MetricAlarms") or ()}


def probe_put_alarm(step: ApiStep, runner: StepRunner) -> Probe:
    name = str(step.params["AlarmName"])
    return Probe(name in _alarm_names(step, runner, [name]))


def probe_delete_alarms(step: ApiStep, runner: StepRunner) -> Probe:
    names = [str(n) for n in step.params["AlarmNames"]]
    return Probe(not _alarm_names(step, runner, names))


PROBES: Mapping[str, ProbeFn] = {
    "dynamodb:UpdateTable": probe_update_table,
    "dynamodb:UpdateContinuousBackups": probe_pitr,
    "dynamodb:UpdateTimeToLive": probe_ttl,
    "dynamodb:TagResource": probe_tag,
    "dynamodb:UntagResource": probe_untag,
    "dynamodb:PutResourcePolicy": probe_put_policy,
    "dynamodb:DeleteResourcePolicy": probe_delete_policy,
    "application-autoscaling:RegisterScalableTarget": probe_register_target,
    "application-autoscaling:DeregisterScalableTarget": probe_deregister_target,
    "application-autoscaling:PutScalingPolicy": lambda s, r: Probe(_has_policy(s, r)),
    "application-autoscaling:DeleteScalingPolicy": lambda s, r: Probe(not _has_policy(s, r)),
    "backup:CreateBackupSelection": probe_create_selection,
    "backup:DeleteBackupSelection": probe_delete_selection,
    "dax:IncreaseReplicationFactor": lambda s, r: Probe(
        _dax_nodes(s, r) >= int(s.params["NewReplicationFactor"])
    ),
    "dax:DecreaseReplicationFactor": lambda s, r: Probe(
        _dax_nodes(s, r) <= int(s.params["NewReplicationFactor"])
    ),
    "ec2:CreateVpcEndpoint": probe_create_endpoint,
    "ec2:DeleteVpcEndpoints": probe_delete_endpoints,
    "cloudwatch:PutMetricAlarm": probe_put_alarm,
    "cloudwatch:DeleteAlarms": probe_delete_alarms,
    "kms:EnableKeyRotation": lambda s, r: Probe(_rotation(s, r)),
    "kms:DisableKeyRotation": lambda s, r: Probe(not _rotation(s, r)),
}
