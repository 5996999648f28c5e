"""aws_dax_cluster, Application Auto Scaling, AWS Backup, VPCs and VPC endpoints -> model.

Defaults: a DAX cluster without ``server_side_encryption`` is unencrypted and without
``cluster_endpoint_encryption_type`` has a plain (NONE) endpoint; without
``availability_zones`` DAX spreads nodes over the subnet group's zones, which the code does not
pin, so the zones are Unknown (a single node is one zone whatever). A scaling policy without
``policy_type`` is StepScaling. A VPC endpoint without ``vpc_endpoint_type`` is a Gateway.
"""

from __future__ import annotations

import re

from dynaguard.model import (
    BackupSelection,
    DaxCluster,
    Fact,
    Known,
    ScalableTarget,
    ScalingPolicy,
    TagCondition,
    Unknown,
    Vpc,
    VpcEndpoint,
)
from dynaguard.sources.iac.blocks import Block, Ref, first_unknown
from dynaguard.sources.iac.declared import synthetic_table_arn
from dynaguard.sources.iac.values import bool_fact, int_fact, int_or_float, known_strings, str_fact
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.policies import render_ref

_DYNAMODB_SERVICE = re.compile(r"^(cn\.)?com\.amazonaws\.(.+)\.dynamodb$")
# "com.amazonaws.${data.aws_region.current.name}.dynamodb": the region is only known at plan.
_PARTLY_DYNAMODB = re.compile(r"com\.amazonaws\.\$\{[^}]+\}\.dynamodb['\"]")
_PARTLY_OTHER_SERVICE = re.compile(
    r"com\.amazonaws\.\$\{[^}]+\}\.(?!dynamodb['\"])[a-z0-9.-]+['\"]"
)


def _node_azs(block: Block, replication: Fact[int | None]) -> Fact[tuple[str, ...]]:
    azs = block.fact("availability_zones")
    if azs is not None and isinstance(azs, Unknown):
        return azs
    if azs is not None and isinstance(azs.value, list) and azs.value:
        if not all(isinstance(z, str) for z in azs.value):
            return Unknown("availability_zones holds unresolved values", block.origin)
        return Known(tuple(azs.value), block.origin)
    if isinstance(replication, Known) and replication.value == 1:
        return Known(("(one node)",), block.origin)
    return Unknown(
        "availability_zones is not set: DAX places the nodes in the subnet group's zones, "
        "which the code does not pin",
        block.origin,
    )


def map_dax(ctx: TfContext) -> list[DaxCluster]:
    out = []
    for block in ctx.of_type("aws_dax_cluster"):
        sse = block.block("server_side_encryption")
        replication = int_fact(block, "replication_factor", None)
        rf: Fact[int] = (
            Known(replication.value, block.origin)
            if isinstance(replication, Known) and replication.value is not None
            else Unknown("replication_factor unresolved", block.origin)
        )
        endpoint = str_fact(block, "cluster_endpoint_encryption_type", "NONE")
        out.append(
            DaxCluster(
                name=block.address,
                account_id=ctx.declared.account_id,
                region=ctx.region_of(block),
                origin=block.origin,
                status=Known("DECLARED", block.origin),
                sse_enabled=bool_fact(sse, "enabled", False) if sse else Known(False, block.origin),
                endpoint_encryption=_required(endpoint, "NONE"),
                node_azs=_node_azs(block, replication),
                replication_factor=rf,
                suppressions=block.suppressions,
            )
        )
    return out


def _required(fact: Fact[str | None], default: str) -> Fact[str]:
    return fact if isinstance(fact, Unknown) else Known(fact.value or default, fact.origin)


def map_scaling(ctx: TfContext) -> tuple[list[ScalableTarget], list[ScalingPolicy]]:
    targets, policies = [], []
    for block in ctx.of_type("aws_appautoscaling_target"):
        ns, rid, dim = (
            str_fact(block, a, None)
            for a in ("service_namespace", "resource_id", "scalable_dimension")
        )
        values = known_strings(ns, rid, dim)
        if isinstance(values, Unknown):
            ctx.declared.mark_unresolved("scaling", _first(ns, rid, dim, block))
            continue
        namespace, resource_id, dimension = values
        if namespace != "dynamodb":
            continue
        low, high = int_fact(block, "min_capacity", None), int_fact(block, "max_capacity", None)
        targets.append(
            ScalableTarget(
                resource_id,
                dimension,
                low.value if isinstance(low, Known) else None,
                high.value if isinstance(high, Known) else None,
            )
        )
    for block in ctx.of_type("aws_appautoscaling_policy"):
        rid, dim = str_fact(block, "resource_id", None), str_fact(block, "scalable_dimension", None)
        if isinstance(rid, Unknown) or isinstance(dim, Unknown):
            ctx.declared.mark_unresolved("scaling", _first(rid, dim, None, block))
            continue
        kind = str_fact(block, "policy_type", "StepScaling")
        config = block.block("target_tracking_scaling_policy_configuration")
        target = int_or_float(config, "target_value")
        policies.append(
            ScalingPolicy(
                str(rid.value),
                str(dim.value),
                kind.value if isinstance(kind, Known) and kind.value else "StepScaling",
                target,
                block.address,
            )
        )
    return targets, policies


def _first(a: object, b: object, c: object, block: Block) -> Unknown:
    for f in (a, b, c):
        if isinstance(f, Unknown):
            return Unknown(f"{block.address}: {f.reason}", block.origin)
    return Unknown(f"{block.address} unresolved", block.origin)


def _arn_patterns(block: Block, attr: str, ctx: TfContext) -> list[str] | Unknown:
    values = block.raw(attr)
    out = []
    for v in values if isinstance(values, list) else [values] if values is not None else []:
        if isinstance(v, Ref):
            out.append(_table_arn_of(v, ctx))
        elif isinstance(v, str):
            out.append(v)
        else:
            hole = first_unknown(v) or Unknown(f"{attr} holds {v!r}")
            return Unknown(f"{block.address}.{attr}: {hole.reason}", block.origin)
    return out


def _table_arn_of(ref: Ref, ctx: TfContext) -> str:
    target = ctx.resolve(ref)
    if target is not None and target.type == "aws_dynamodb_table":
        name = str_fact(target, "name", None)
        named = name.value if isinstance(name, Known) and name.value else target.address
        return synthetic_table_arn(ctx.region_of(target), ctx.declared.account_id, named)
    return render_ref(ref, ctx)


def _tag_conditions(block: Block) -> tuple[list[TagCondition], list[TagCondition]] | Unknown:
    """(``selection_tag`` blocks: OR-ed, ``condition`` blocks: AND-ed)."""
    listed, conditions = [], []
    for tag in block.blocks("selection_tag"):
        parts = known_strings(*(str_fact(tag, a, None) for a in ("type", "key", "value")))
        if isinstance(parts, Unknown):
            return Unknown(f"{block.address}: selection_tag unresolved", block.origin)
        listed.append(TagCondition(*parts))
    for cond in block.blocks("condition"):
        for op in ("string_equals", "string_like", "string_not_equals", "string_not_like"):
            for entry in cond.blocks(op):
                pair = known_strings(str_fact(entry, "key", None), str_fact(entry, "value", None))
                if isinstance(pair, Unknown):
                    return Unknown(f"{block.address}: condition unresolved", block.origin)
                conditions.append(TagCondition(op.replace("_", "").upper(), *pair))
    return listed, conditions


def map_backup(ctx: TfContext) -> list[BackupSelection]:
    out = []
    for block in ctx.of_type("aws_backup_selection"):
        plan_ref = block.raw("plan_id")
        plan = ctx.resolve(plan_ref) if isinstance(plan_ref, Ref) else None
        resources, excluded = (
            _arn_patterns(block, "resources", ctx),
            _arn_patterns(block, "not_resources", ctx),
        )
        tags = _tag_conditions(block)
        problem = next((x for x in (resources, excluded, tags) if isinstance(x, Unknown)), None)
        if problem is not None:
            ctx.declared.mark_unresolved("backup selections", problem)
            continue
        assert not isinstance(resources, Unknown) and not isinstance(excluded, Unknown)
        assert not isinstance(tags, Unknown)
        name = str_fact(block, "name", None)
        out.append(
            BackupSelection(
                plan_name=plan.address if plan else str(plan_ref),
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


def map_network(ctx: TfContext) -> tuple[list[Vpc], list[VpcEndpoint]]:
    vpcs = [
        Vpc(b.address, ctx.declared.account_id, ctx.region_of(b), False, b.origin, b.suppressions)
        for b in ctx.of_type("aws_vpc")
    ]
    regions = {v.vpc_id: v.region for v in vpcs}
    endpoints = []
    for block in ctx.of_type("aws_vpc_endpoint"):
        vpc, service = block.raw("vpc_id"), str_fact(block, "service_name", None)
        if isinstance(service, Unknown) and _PARTLY_DYNAMODB.search(service.reason):
            service = Known("com.amazonaws.REGION.dynamodb", block.origin)
        if isinstance(service, Unknown) and _PARTLY_OTHER_SERVICE.search(service.reason):
            continue  # "com.amazonaws.${var.region}.execute-api": whatever the region, not DynamoDB
        if isinstance(service, Unknown):
            ctx.declared.mark_unresolved(
                "VPC endpoints", Unknown(f"{block.address}: {service.reason}", block.origin)
            )
            continue
        vpc_id = vpc.address if isinstance(vpc, Ref) else str(vpc) if isinstance(vpc, str) else None
        if vpc_id is None:
            ctx.declared.mark_unresolved(
                "VPC endpoints", Unknown(f"{block.address}: vpc_id unresolved", block.origin)
            )
            continue
        kind = str_fact(block, "vpc_endpoint_type", "Gateway")
        endpoints.append(
            VpcEndpoint(
                block.address,
                vpc_id,
                _service_in_region(str(service.value), regions.get(vpc_id, ctx.region_of(block))),
                kind.value if isinstance(kind, Known) and kind.value else "Gateway",
            )
        )
    return vpcs, endpoints


def _service_in_region(service: str, region: str) -> str:
    """Endpoints are created in the provider's region: ``com.amazonaws.<anything>.dynamodb``
    (often built from data.aws_region) is the DynamoDB service of that region."""
    match = _DYNAMODB_SERVICE.match(service)
    if match:
        return f"{match.group(1) or ''}com.amazonaws.{region}.dynamodb"
    return service
