"""DAX clusters, once per region (DescribeClusters, paged).

DAX is not offered in every region. Where botocore's endpoint data says the region has no DAX
endpoint, there are no clusters to audit: Known(()) without a call, not UNKNOWN. A region
botocore does not know yet, or an endpoint override (``--endpoint-url``, ``AWS_ENDPOINT_URL``,
an emulator), is always called.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.concepts.region-and-az.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from dynaguard.model import DaxCluster, Fact, Known, Unknown
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "dax"


AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


def dax_offered(reader: RegionReader) -> bool:
    """False only when botocore knows the region (it lists DynamoDB there) but not DAX, and the
    DAX client would call AWS itself (no endpoint override)."""
    session, region = reader.session, reader.region
    if region in session.service_regions("dax", region):
        return True
    if region not in session.service_regions("dynamodb", region):
        return True
    host = urlparse(session.client(SERVICE, region).meta.endpoint_url).hostname or ""
    return not host.endswith(AWS_DOMAINS)


def collect_dax_clusters(reader: RegionReader) -> Fact[tuple[DaxCluster, ...]]:
    if not dax_offered(reader):
        return Known((), reader.origin(SERVICE, "DescribeClusters"))
    return reader.fact(lambda: _read_clusters(reader), SERVICE, "DescribeClusters")


def _read_clusters(reader: RegionReader) -> tuple[DaxCluster, ...]:
    raw = page_items(reader.pages(SERVICE, "DescribeClusters"), "Clusters")
    return tuple(_cluster(reader, c) for c in raw)


def _cluster(reader: RegionReader, raw: Mapping[str, Any]) -> DaxCluster:
    origin = reader.origin(SERVICE, "DescribeClusters")
    sse = raw.get("SSEDescription") or {}
    total = int(raw.get("TotalNodes") or 0)
    nodes = raw.get("Nodes") or ()
    node_azs: Fact[tuple[str, ...]]
    if len(nodes) < total:  # nodes are listed once they exist (creating, adding nodes)
        node_azs = Unknown(
            f"cluster is {raw.get('Status')}: {len(nodes)} of {total} nodes listed", origin
        )
    else:
        node_azs = Known(tuple(n.get("AvailabilityZone", "") for n in nodes), origin)
    return DaxCluster(
        name=raw["ClusterName"],
        account_id=reader.account_id,
        region=reader.region,
        arn=raw.get("ClusterArn"),
        origin=origin,
        status=Known(str(raw.get("Status", "unknown")), origin),
        sse_enabled=Known(sse.get("Status") == "ENABLED", origin),
        endpoint_encryption=Known(str(raw.get("ClusterEndpointEncryptionType") or "NONE"), origin),
        node_azs=node_azs,
        replication_factor=Known(total, origin),
    )
