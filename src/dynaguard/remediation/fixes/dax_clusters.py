"""DAX: DDB.009 IncreaseReplicationFactor spreading new nodes over unused zones; DDB.007 and
DDB.008 are create-time settings with no in-place fix: MANUAL with the rebuild steps.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_IncreaseReplicationFactor.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html
"""

from __future__ import annotations

from collections import Counter

from dynaguard.model import DaxCluster, Known
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Manual, ResourceRef, Skip
from dynaguard.remediation.registry import register


def dax_ref(cluster: DaxCluster) -> ResourceRef:
    return ResourceRef("dax_cluster", cluster.name, cluster.region, cluster.account_id)


def _rebuild(cluster: DaxCluster, what: str, flag: str) -> Manual:
    steps = (
        f"aws dax describe-clusters --region {cluster.region} --cluster-names {cluster.name}  "
        "# note node type, parameter group, subnet group, security groups, IAM role",
        f"aws dax create-cluster --region {cluster.region} --cluster-name {cluster.name}-new "
        f"--node-type NODE_TYPE --replication-factor 3 --iam-role-arn ROLE_ARN {flag}",
        "point the application's DAX endpoint at the new cluster, then: "
        f"aws dax delete-cluster --region {cluster.region} --cluster-name {cluster.name}",
    )
    return Manual(
        "DDB.007" if "rest" in what else "DDB.008",
        dax_ref(cluster),
        f"DAX {what} is chosen at creation only: the cluster must be rebuilt",
        steps,
    )


def plan_encryption(cluster: DaxCluster, live: LiveState, options: Options) -> PlanResult:
    return _rebuild(
        cluster,
        "encryption at rest",
        "--sse-specification Enabled=true --cluster-endpoint-encryption-type TLS",
    )


def plan_tls(cluster: DaxCluster, live: LiveState, options: Options) -> PlanResult:
    return _rebuild(
        cluster,
        "endpoint encryption (TLS)",
        "--cluster-endpoint-encryption-type TLS --sse-specification Enabled=true",
    )


def new_node_zones(used: list[str], zones: list[str], min_nodes: int, min_azs: int) -> list[str]:
    """Zones for the nodes to add: unused zones first, then the least used."""
    distinct = set(used)
    count = max(0, min_nodes - len(used), min(min_azs, len(zones)) - len(distinct))
    counts = Counter(used)
    chosen = []
    for _ in range(count):
        zone = min(zones, key=lambda z: (counts[z], zones.index(z)))
        counts[zone] += 1
        chosen.append(zone)
    return chosen


def plan_multi_az(cluster: DaxCluster, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(cluster.node_azs, Known) or not live.zones:
        return Skip("DDB.009", dax_ref(cluster), "node placement or the region's zones unknown")
    used = list(cluster.node_azs.value)
    zones = sorted(live.zones)
    add = new_node_zones(used, zones, live.baseline.dax_min_nodes, live.baseline.dax_min_azs)
    if not add:
        return Skip("DDB.009", dax_ref(cluster), "the region has too few zones")
    factor = len(used) + len(add)
    step = ApiStep(
        "dax:IncreaseReplicationFactor",
        cluster.region,
        {"ClusterName": cluster.name, "NewReplicationFactor": factor, "AvailabilityZones": add},
        "dax",
    )
    undo = ApiStep(
        "dax:DecreaseReplicationFactor",
        cluster.region,
        {"ClusterName": cluster.name, "NewReplicationFactor": len(used)},
        "dax",
    )
    return Change(
        "DDB.009",
        dax_ref(cluster),
        f"{len(used)} node(s) in {len(set(used))} zone(s)",
        f"{factor} nodes in {len(set(used) | set(add))} zones",
        (step,),
        (undo,),
        {"nodes": len(used), "zones": sorted(set(used))},
    )


_READ = ("dax:DescribeClusters",)
register(
    Remediation(
        "DDB.007",
        "dax_cluster",
        "MANUAL: rebuild with encryption at rest",
        _READ,
        ("available",),
        plan_encryption,
        manual_only=True,
    )
)
register(
    Remediation(
        "DDB.008",
        "dax_cluster",
        "MANUAL: rebuild with TLS endpoint",
        _READ,
        ("available",),
        plan_tls,
        manual_only=True,
    )
)
register(
    Remediation(
        "DDB.009",
        "dax_cluster",
        "add nodes in unused Availability Zones (IncreaseReplicationFactor)",
        ("dax:IncreaseReplicationFactor", "dax:DescribeClusters", "ec2:DescribeAvailabilityZones"),
        ("available",),
        plan_multi_az,
    )
)
