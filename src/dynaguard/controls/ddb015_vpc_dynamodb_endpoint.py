"""DDB.015: every VPC has a DynamoDB VPC endpoint (Gateway or Interface).

The endpoint's service name is ``com.amazonaws.<region>.dynamodb`` (``cn.com.amazonaws...`` in
China). Endpoints being deleted, rejected or failed do not count; one still pending makes the
verdict UNKNOWN until it is available.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Unknown, Vpc, VpcEndpoint

_USABLE = ("available",)
_PENDING = ("pending", "pendingacceptance")


def is_dynamodb_service(service_name: str, region: str) -> bool:
    return service_name in (
        f"com.amazonaws.{region}.dynamodb",
        f"cn.com.amazonaws.{region}.dynamodb",
    )


def _state(endpoint: VpcEndpoint) -> str:
    # No state: declared in code, not yet created; it will exist once applied.
    return (endpoint.state or "available").lower()


@control(
    id="DDB.015",
    title="VPC has a DynamoDB VPC endpoint",
    severity="medium",
    subject=Vpc,
    facts={"region.vpcs"},
    rationale="Without an endpoint, DynamoDB traffic from the VPC leaves through a NAT or "
    "internet gateway; an endpoint keeps it on the AWS network and lets endpoint and resource "
    "policies (aws:SourceVpce) restrict who reaches the tables.",
    remediation="aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Gateway "
    "--service-name com.amazonaws.REGION.dynamodb --route-table-ids RTB_ID ... "
    "(opt-in in dynaguard harden)",
)
def vpc_has_dynamodb_endpoint(vpc: Vpc, ctx: Context) -> Verdict:
    endpoints = ctx.scope.vpc_endpoints
    if isinstance(endpoints, Unknown):
        return unknown(f"VPC endpoints unknown: {endpoints.reason}", endpoints.origin)
    mine = [
        e
        for e in endpoints.value
        if e.vpc_id == vpc.vpc_id and is_dynamodb_service(e.service_name, vpc.region)
    ]
    usable = [e for e in mine if _state(e) in _USABLE]
    if usable:
        e = usable[0]
        return passed(
            f"DynamoDB {e.endpoint_type} endpoint {e.endpoint_id} in {vpc.vpc_id}", endpoints.origin
        )
    pending = [e for e in mine if _state(e) in _PENDING]
    if pending:
        return unknown(
            f"DynamoDB endpoint {pending[0].endpoint_id} is {pending[0].state}, not yet available",
            endpoints.origin,
        )
    unusable = "".join(f"; {e.endpoint_id} is {e.state}" for e in mine)
    return failed(f"no DynamoDB VPC endpoint in {vpc.vpc_id}{unusable}", endpoints.origin)
