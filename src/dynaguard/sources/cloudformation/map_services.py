"""AWS::DAX::Cluster, Application Auto Scaling (and GlobalTable's built-in auto scaling),
AWS::Backup::BackupSelection, IAM policies and roles, VPCs and VPC endpoints -> model."""

from __future__ import annotations

import re
from typing import Any

from dynaguard.model import (
    BackupSelection,
    DaxCluster,
    Fact,
    IamPolicy,
    Known,
    PolicyDocument,
    ScalableTarget,
    ScalingPolicy,
    TagCondition,
    Unknown,
    Vpc,
    VpcEndpoint,
)
from dynaguard.model.aws_managed_policies import document_of as aws_managed_document
from dynaguard.model.aws_managed_policies import is_aws_managed_arn
from dynaguard.sources.cloudformation.context import CfnContext
from dynaguard.sources.cloudformation.documents import document
from dynaguard.sources.iac.blocks import Block, Ref, first_unknown
from dynaguard.sources.iac.values import bool_fact, int_fact, int_or_float, known_strings, str_fact

_DYNAMODB_SERVICE = re.compile(r"^(cn\.)?com\.amazonaws\.(.+)\.dynamodb$")
_PARTLY_DYNAMODB = re.compile(r"com\.amazonaws\.\$\{AWS::Region\}\.dynamodb")


def map_dax(ctx: CfnContext) -> list[DaxCluster]:
    out = []
    for block in ctx.of_type("AWS::DAX::Cluster"):
        sse = block.block("SSESpecification")
        rf = int_fact(block, "ReplicationFactor", None)
        azs = block.fact("AvailabilityZones")
        node_azs: Fact[tuple[str, ...]]
        if azs is not None and isinstance(azs, Known) and isinstance(azs.value, list) and azs.value:
            node_azs = Known(tuple(str(z) for z in azs.value), block.origin)
        elif isinstance(azs, Unknown):
            node_azs = azs
        elif isinstance(rf, Known) and rf.value == 1:
            node_azs = Known(("(one node)",), block.origin)
        else:
            node_azs = Unknown(
                "AvailabilityZones is not set: DAX places the nodes in the subnet "
                "group's zones, which the template does not pin",
                block.origin,
            )
        endpoint = str_fact(block, "ClusterEndpointEncryptionType", "NONE")
        out.append(
            DaxCluster(
                name=block.address,
                account_id=ctx.declared.account_id,
                region=ctx.declared.region,
                origin=block.origin,
                status=Known("DECLARED", block.origin),
                sse_enabled=bool_fact(sse, "SSEEnabled", False)
                if sse
                else Known(False, block.origin),
                endpoint_encryption=endpoint
                if isinstance(endpoint, Unknown)
                else Known(endpoint.value or "NONE", block.origin),
                node_azs=node_azs,
                replication_factor=Known(rf.value, block.origin)
                if isinstance(rf, Known) and rf.value is not None
                else Unknown("ReplicationFactor unresolved", block.origin),
                suppressions=block.suppressions,
            )
        )
    return out


def map_scaling(ctx: CfnContext) -> tuple[list[ScalableTarget], list[ScalingPolicy]]:
    targets: dict[str, ScalableTarget] = {}
    for block in ctx.of_type("AWS::ApplicationAutoScaling::ScalableTarget"):
        ns, rid, dim = (
            str_fact(block, a, None)
            for a in ("ServiceNamespace", "ResourceId", "ScalableDimension")
        )
        values = known_strings(ns, rid, dim)
        if isinstance(values, Unknown):
            ctx.declared.mark_unresolved(
                "scaling", Unknown(f"{block.address}: {values.reason}", block.origin)
            )
            continue
        namespace, resource_id, dimension = values
        if namespace != "dynamodb":
            continue
        low, high = int_fact(block, "MinCapacity", None), int_fact(block, "MaxCapacity", None)
        targets[block.address] = ScalableTarget(
            resource_id,
            dimension,
            low.value if isinstance(low, Known) else None,
            high.value if isinstance(high, Known) else None,
        )
    policies = []
    for block in ctx.of_type("AWS::ApplicationAutoScaling::ScalingPolicy"):
        target_ref = block.raw("ScalingTargetId")
        target = targets.get(target_ref.address) if isinstance(target_ref, Ref) else None
        rid, dim = str_fact(block, "ResourceId", None), str_fact(block, "ScalableDimension", None)
        policy_rid = target.resource_id if target else rid.value if isinstance(rid, Known) else None
        policy_dim = target.dimension if target else dim.value if isinstance(dim, Known) else None
        if policy_rid is None or policy_dim is None:
            ctx.declared.mark_unresolved(
                "scaling", Unknown(f"{block.address}: target unresolved", block.origin)
            )
            continue
        kind = str_fact(block, "PolicyType", "StepScaling")
        config = block.block("TargetTrackingScalingPolicyConfiguration")
        policies.append(
            ScalingPolicy(
                policy_rid,
                policy_dim,
                kind.value if isinstance(kind, Known) and kind.value else "StepScaling",
                int_or_float(config, "TargetValue"),
                block.address,
            )
        )
    extra_targets, extra_policies = _global_table_scaling(ctx)
    return [*targets.values(), *extra_targets], [*policies, *extra_policies]


def _auto(
    settings: Block | None,
    rid: str,
    dim: str,
    out: tuple[list[ScalableTarget], list[ScalingPolicy]],
) -> None:
    auto = (
        settings.block("ReadCapacityAutoScalingSettings")
        or settings.block("WriteCapacityAutoScalingSettings")
        if settings
        else None
    )
    if auto is None:
        return
    low, high = int_fact(auto, "MinCapacity", None), int_fact(auto, "MaxCapacity", None)
    out[0].append(
        ScalableTarget(
            rid,
            dim,
            low.value if isinstance(low, Known) else None,
            high.value if isinstance(high, Known) else None,
        )
    )
    tracking = auto.block("TargetTrackingScalingPolicyConfiguration")
    if tracking is not None:
        out[1].append(
            ScalingPolicy(rid, dim, "TargetTrackingScaling", int_or_float(tracking, "TargetValue"))
        )


def _global_table_scaling(ctx: CfnContext) -> tuple[list[ScalableTarget], list[ScalingPolicy]]:
    """GlobalTable declares auto scaling inline: writes table-wide, reads per replica (every
    replica must have it for the read dimension to count)."""
    out: tuple[list[ScalableTarget], list[ScalingPolicy]] = ([], [])
    for block in ctx.of_type("AWS::DynamoDB::GlobalTable"):
        base = f"table/{ctx.table_name(block.address)}"
        _auto(
            block.block("WriteProvisionedThroughputSettings"),
            base,
            "dynamodb:table:WriteCapacityUnits",
            out,
        )
        replicas = block.blocks("Replicas")
        reads = [r.block("ReadProvisionedThroughputSettings") for r in replicas]
        if replicas and all(
            r is not None and r.block("ReadCapacityAutoScalingSettings") for r in reads
        ):
            _auto(reads[0], base, "dynamodb:table:ReadCapacityUnits", out)
        for gsi in block.blocks("GlobalSecondaryIndexes"):
            name = str_fact(gsi, "IndexName", None)
            if isinstance(name, Known) and name.value:
                _auto(
                    gsi.block("WriteProvisionedThroughputSettings"),
                    f"{base}/index/{name.value}",
                    "dynamodb:index:WriteCapacityUnits",
                    out,
                )
                _gsi_reads(replicas, name.value, f"{base}/index/{name.value}", out)
    return out


def _gsi_reads(
    replicas: list[Block],
    index: str,
    rid: str,
    out: tuple[list[ScalableTarget], list[ScalingPolicy]],
) -> None:
    settings = []
    for rep in replicas:
        match = [g for g in rep.blocks("GlobalSecondaryIndexes") if g.raw("IndexName") == index]
        holder = match[0].block("ReadProvisionedThroughputSettings") if match else None
        if holder is None or holder.block("ReadCapacityAutoScalingSettings") is None:
            return
        settings.append(holder)
    if settings:
        _auto(settings[0], rid, "dynamodb:index:ReadCapacityUnits", out)


def _arns(value: Any, ctx: CfnContext) -> list[str] | Unknown:
    out = []
    for v in value if isinstance(value, list) else [value] if value is not None else []:
        if isinstance(v, Ref):
            out.append(ctx.render(Ref(v.address, v.attribute or "Arn")))
        elif isinstance(v, str):
            out.append(v)
        else:
            return first_unknown(v) or Unknown(f"resource {v!r} unresolved")
    return out


def _conditions(selection: Block) -> tuple[list[TagCondition], list[TagCondition]] | Unknown:
    listed, conditions = [], []
    for tag in selection.blocks("ListOfTags"):
        parts = [tag.raw(k) for k in ("ConditionType", "ConditionKey", "ConditionValue")]
        if not all(isinstance(p, str) for p in parts):
            return Unknown("ListOfTags unresolved")
        listed.append(TagCondition(*parts))
    block = selection.block("Conditions")
    for op in ("StringEquals", "StringLike", "StringNotEquals", "StringNotLike"):
        for entry in block.blocks(op) if block else []:
            key, value = entry.raw("ConditionKey"), entry.raw("ConditionValue")
            if not isinstance(key, str) or not isinstance(value, str):
                return Unknown(f"Conditions.{op} unresolved")
            conditions.append(TagCondition(op.upper(), key, value))
    return listed, conditions


def map_backup(ctx: CfnContext) -> list[BackupSelection]:
    out = []
    for block in ctx.of_type("AWS::Backup::BackupSelection"):
        selection = block.block("BackupSelection")
        if selection is None:
            continue
        resources, excluded = (
            _arns(selection.raw("Resources"), ctx),
            _arns(selection.raw("NotResources"), ctx),
        )
        tags = _conditions(selection)
        bad = next((x for x in (resources, excluded, tags) if isinstance(x, Unknown)), None)
        if bad is not None:
            ctx.declared.mark_unresolved(
                "backup selections", Unknown(f"{block.address}: {bad.reason}", block.origin)
            )
            continue
        assert not isinstance(resources, Unknown) and not isinstance(excluded, Unknown)
        assert not isinstance(tags, Unknown)
        plan = block.raw("BackupPlanId")
        name = str_fact(selection, "SelectionName", None)
        out.append(
            BackupSelection(
                plan_name=plan.address if isinstance(plan, Ref) else str(plan),
                selection_name=name.value
                if isinstance(name, Known) and name.value
                else block.address,
                resources=tuple(resources),
                not_resources=tuple(excluded),
                list_of_tags=tuple(tags[0]),
                conditions=tuple(tags[1]),
                origin=block.origin,
            )
        )
    return out


def _holders(block: Block) -> tuple[str, ...]:
    out = []
    for attr in ("Roles", "Users", "Groups"):
        for v in block.raw(attr) or []:
            out.append(v.address if isinstance(v, Ref) else str(v))
    return tuple(out)


def _iam(
    block: Block, name: str, kind: str, raw: Any, holders: tuple[str, ...], ctx: CfnContext
) -> IamPolicy:
    doc = (
        document(raw, ctx)
        if raw is not None
        else PolicyDocument((), parse_error="no PolicyDocument")
    )
    return IamPolicy(
        name, ctx.declared.account_id, kind, doc, None, holders, block.origin, block.suppressions
    )


_PRINCIPAL_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")


def _aws_managed(ctx: CfnContext) -> list[IamPolicy]:
    """AWS managed policies named in ``ManagedPolicyArns`` of roles, users and groups: one
    policy per ARN, carried by every principal naming it, judged on dynaguard's table of AWS
    managed policy documents (``model.aws_managed_policies``)."""
    holders: dict[str, list[Block]] = {}
    for kind in _PRINCIPAL_TYPES:
        for block in ctx.of_type(kind):
            arns = block.raw("ManagedPolicyArns")
            for arn in arns if isinstance(arns, list) else []:
                if isinstance(arn, str) and is_aws_managed_arn(arn):
                    holders.setdefault(arn, []).append(block)
    return [
        IamPolicy(
            arn.rsplit("/", 1)[-1],
            ctx.declared.account_id,
            "aws_managed",
            aws_managed_document(arn),
            arn,
            tuple(b.address for b in blocks),
            blocks[0].origin,
            tuple(sup for b in blocks for sup in b.suppressions),
        )
        for arn, blocks in sorted(holders.items())
    ]


def map_iam(ctx: CfnContext) -> list[IamPolicy]:
    out = [
        _iam(b, b.address, "inline", b.raw("PolicyDocument"), _holders(b), ctx)
        for b in ctx.of_type("AWS::IAM::Policy")
    ]
    out += [
        _iam(b, b.address, "managed", b.raw("PolicyDocument"), _holders(b), ctx)
        for b in ctx.of_type("AWS::IAM::ManagedPolicy")
    ]
    for role in ctx.of_type("AWS::IAM::Role"):
        for i, policy in enumerate(role.blocks("Policies")):
            out.append(
                _iam(
                    role,
                    f"{role.address}.Policies[{i}]",
                    "inline",
                    policy.raw("PolicyDocument"),
                    (role.address,),
                    ctx,
                )
            )
    return out + _aws_managed(ctx)


def map_network(ctx: CfnContext) -> tuple[list[Vpc], list[VpcEndpoint]]:
    region = ctx.declared.region
    vpcs = [
        Vpc(b.address, ctx.declared.account_id, region, False, b.origin, b.suppressions)
        for b in ctx.of_type("AWS::EC2::VPC")
    ]
    endpoints = []
    for block in ctx.of_type("AWS::EC2::VPCEndpoint"):
        vpc, service = block.raw("VpcId"), str_fact(block, "ServiceName", None)
        if isinstance(service, Unknown) and _PARTLY_DYNAMODB.search(service.reason):
            service = Known(f"com.amazonaws.{region}.dynamodb", block.origin)
        if isinstance(service, Unknown) or not isinstance(vpc, Ref | str):
            why = service.reason if isinstance(service, Unknown) else "VpcId unresolved"
            ctx.declared.mark_unresolved(
                "VPC endpoints", Unknown(f"{block.address}: {why}", block.origin)
            )
            continue
        text = str(service.value)
        match = _DYNAMODB_SERVICE.match(text)
        if match:
            text = f"{match.group(1) or ''}com.amazonaws.{region}.dynamodb"
        kind = str_fact(block, "VpcEndpointType", "Gateway")
        endpoints.append(
            VpcEndpoint(
                block.address,
                vpc.address if isinstance(vpc, Ref) else vpc,
                text,
                kind.value if isinstance(kind, Known) and kind.value else "Gateway",
            )
        )
    return vpcs, endpoints
