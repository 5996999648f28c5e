"""DDB.009: DAX cluster nodes span at least ``dax_min_azs`` Availability Zones.

Counts DISTINCT zones of the nodes, never nodes: three nodes in one zone are one zone, and an
outage of that zone takes the whole cache down. The node count must also reach
``dax_min_nodes`` (AWS recommends three nodes for production).
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import DaxCluster, Known, Unknown


@control(
    id="DDB.009",
    title="DAX cluster nodes span multiple Availability Zones",
    severity="medium",
    subject=DaxCluster,
    facts={"region.dax"},
    rationale="A DAX cluster whose nodes share one Availability Zone fails with that zone; "
    "spreading nodes across zones keeps the cache (and the primary for writes) available.",
    remediation="aws dax increase-replication-factor --cluster-name CLUSTER "
    "--new-replication-factor 3 --availability-zones REGIONa REGIONb REGIONc "
    "(or: dynaguard harden)",
)
def dax_cluster_multi_az(cluster: DaxCluster, ctx: Context) -> Verdict:
    fact = cluster.node_azs
    if isinstance(fact, Unknown):
        return unknown(f"DAX node placement unknown: {fact.reason}", fact.origin)
    if not fact.value:
        return unknown(
            "the Availability Zones of the DAX nodes are not known (no nodes reported or "
            "declared yet)",
            fact.origin,
        )
    zones = sorted(set(fact.value))
    rf = cluster.replication_factor
    nodes = rf.value if isinstance(rf, Known) else len(fact.value)
    need_zones, need_nodes = ctx.baseline.dax_min_azs, ctx.baseline.dax_min_nodes
    problems = []
    if len(zones) < need_zones:
        problems.append(
            f"nodes span {len(zones)} Availability Zone(s) ({', '.join(zones)}), fewer than "
            f"the required {need_zones}"
        )
    if nodes < need_nodes:
        problems.append(f"{nodes} node(s), fewer than the required {need_nodes}")
    if problems:
        return failed("; ".join(problems), fact.origin)
    return passed(
        f"{nodes} nodes across {len(zones)} Availability Zones ({', '.join(zones)})", fact.origin
    )
