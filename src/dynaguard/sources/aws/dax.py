"""DAX clusters, once per region (DescribeClusters, paged).

DAX is not offered in every region. Where botocore's endpoint data says the region has no DAX
endpoint, there are no clusters to audit: Known(()) without a call, not UNKNOWN. A region
botocore does not know yet, or an endpoint override (``--endpoint-url``, ``AWS_ENDPOINT_URL``,
an emulator), is always called.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.concepts.region-and-az.html
"""

from __future__ import annotations

from urllib.parse import urlparse

from dynaguard.model import DaxCluster, Fact, Known, Origin, Unknown
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.shape import Body, items, known_or_unknown

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
    pages = reader.read_pages(SERVICE, "DescribeClusters")
    return tuple(_cluster(reader, c) for c in items(pages, "Clusters"))


def _cluster(reader: RegionReader, raw: Body) -> DaxCluster:
    """One cluster: its name is required (else the whole read is malformed); any other field
    that is wrong makes only the fact it feeds Unknown."""
    origin = reader.origin(SERVICE, "DescribeClusters")
    status = known_or_unknown(lambda: raw.opt_text("Status") or "unknown", origin)
    total = known_or_unknown(lambda: raw.opt_integer("TotalNodes") or 0, origin)
    return DaxCluster(
        name=raw.text("ClusterName"),
        account_id=reader.account_id,
        region=reader.region,
        arn=raw.opt_text("ClusterArn"),
        origin=origin,
        status=status,
        sse_enabled=known_or_unknown(lambda: _sse_enabled(raw), origin),
        endpoint_encryption=known_or_unknown(
            lambda: raw.opt_text("ClusterEndpointEncryptionType") or "NONE", origin
        ),
        node_azs=_node_azs(raw, status, total, origin),
        replication_factor=total,
    )


def _sse_enabled(raw: Body) -> bool:
    sse = raw.opt_child("SSEDescription")
    return sse is not None and sse.opt_text("Status") == "ENABLED"


def _node_azs(
    raw: Body, status: Fact[str], total: Fact[int], origin: Origin
) -> Fact[tuple[str, ...]]:
    """The zones of the nodes, once every node is listed (creating or adding nodes: not yet)."""
    if isinstance(total, Unknown):
        return total
    nodes = known_or_unknown(
        lambda: tuple(n.text("AvailabilityZone") for n in raw.opt_children("Nodes")), origin
    )
    if isinstance(nodes, Known) and len(nodes.value) < total.value:
        state = status.value if isinstance(status, Known) else "unknown"
        return Unknown(
            f"cluster is {state}: {len(nodes.value)} of {total.value} nodes listed", origin
        )
    return nodes
