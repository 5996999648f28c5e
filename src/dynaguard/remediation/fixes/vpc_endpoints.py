"""DDB.015 (opt-in): a DynamoDB gateway endpoint on the VPC's route tables (gateway endpoints
cost nothing, but change the routing of every subnet: opt-in).
https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.model import Vpc
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, ResourceRef
from dynaguard.remediation.registry import register
from dynaguard.remediation.steps import StepRunner


def plan(vpc: Vpc, live: LiveState, options: Options) -> PlanResult:
    ref = ResourceRef("vpc", vpc.vpc_id, vpc.region, vpc.account_id)
    step = ApiStep(
        "ec2:CreateVpcEndpoint",
        vpc.region,
        {
            "VpcEndpointType": "Gateway",
            "VpcId": vpc.vpc_id,
            "ServiceName": f"com.amazonaws.{vpc.region}.dynamodb",
            "RouteTableIds": "{{RouteTableIds}}",
        },
        "none",
        outputs={"VpcEndpointId": "VpcEndpoint.VpcEndpointId"},
    )
    undo = ApiStep(
        "ec2:DeleteVpcEndpoints", vpc.region, {"VpcEndpointIds": ["{{VpcEndpointId}}"]}, "none"
    )
    return Change(
        "DDB.015", ref, "no endpoint", "gateway endpoint", (step,), (undo,), {"endpoint": None}
    )


def apply(change: Change, runner: StepRunner) -> Mapping[str, Any]:
    """The route tables are read at apply time: the endpoint covers all of them."""
    region = change.resource.region
    tables = runner.read(
        "ec2:DescribeRouteTables",
        region,
        Filters=[{"Name": "vpc-id", "Values": [change.resource.name]}],
    )
    ids = [t["RouteTableId"] for t in tables.get("RouteTables") or ()]
    return runner.run_change(change, {"RouteTableIds": ids})


register(
    Remediation(
        "DDB.015",
        "vpc",
        "create a DynamoDB gateway endpoint on all the VPC's route tables",
        ("ec2:CreateVpcEndpoint", "ec2:DescribeRouteTables", "ec2:ModifyVpcEndpoint"),
        ("available",),
        plan,
        apply=apply,
        opt_in=True,
    )
)
