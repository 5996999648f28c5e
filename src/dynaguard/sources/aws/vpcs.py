"""VPCs and their DynamoDB VPC endpoints, once per region (DDB.015).

Endpoints are filtered by service name: ``com.amazonaws.<region>.dynamodb`` (and the
``cn.``-prefixed form some China-region services use), gateway or interface.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/vpc-endpoints-dynamodb.html
"""

from __future__ import annotations

from dynaguard.model import Fact, Vpc, VpcEndpoint
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import items

SERVICE = "ec2"


def dynamodb_service_names(region: str) -> list[str]:
    return [f"com.amazonaws.{region}.dynamodb", f"cn.com.amazonaws.{region}.dynamodb"]


def collect_vpcs(reader: RegionReader) -> Fact[tuple[Vpc, ...]]:
    def read() -> tuple[Vpc, ...]:
        pages = reader.read_pages(SERVICE, "DescribeVpcs")
        origin = reader.origin(SERVICE, "DescribeVpcs")
        partition = reader.session.partition(reader.region)
        return tuple(
            Vpc(
                v.text("VpcId"),
                reader.account_id,
                reader.region,
                bool(v.opt_flag("IsDefault")),
                origin,
                arn=f"arn:{partition}:ec2:{reader.region}:{reader.account_id}:vpc/{v.text('VpcId')}",
            )
            for v in items(pages, "Vpcs")
        )

    return reader.fact(read, SERVICE, "DescribeVpcs")


def collect_vpc_endpoints(reader: RegionReader) -> Fact[tuple[VpcEndpoint, ...]]:
    def read() -> tuple[VpcEndpoint, ...]:
        service_filter = {"Name": "service-name", "Values": dynamodb_service_names(reader.region)}
        pages = reader.read_pages(SERVICE, "DescribeVpcEndpoints", Filters=[service_filter])
        return tuple(
            VpcEndpoint(
                endpoint_id=e.text("VpcEndpointId"),
                vpc_id=e.text("VpcId"),
                service_name=e.text("ServiceName"),
                endpoint_type=e.opt_text("VpcEndpointType") or "Gateway",
                state=e.opt_text("State"),
            )
            for e in items(pages, "VpcEndpoints")
        )

    return reader.fact(read, SERVICE, "DescribeVpcEndpoints")
