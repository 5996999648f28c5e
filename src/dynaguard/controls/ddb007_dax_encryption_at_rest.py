"""DDB.007: DAX cluster encrypted at rest.

DAX offers no customer managed key (the requirement text asks for one; AWS has none), so the
control is "server-side encryption enabled". It is chosen at creation only: no in-place fix.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import DaxCluster, Unknown


@control(
    id="DDB.007",
    title="DAX cluster encrypted at rest",
    severity="medium",
    subject=DaxCluster,
    facts={"region.dax"},
    rationale="DAX caches table items on its nodes' disks; without encryption at rest that copy "
    "of the data is unprotected by the table's own encryption.",
    remediation="Encryption at rest can only be chosen at creation: create a new cluster with "
    "aws dax create-cluster ... --sse-specification Enabled=true, point clients at it, then "
    "delete the old cluster (dynaguard harden reports this as MANUAL)",
)
def dax_cluster_encrypted_at_rest(cluster: DaxCluster, ctx: Context) -> Verdict:
    fact = cluster.sse_enabled
    if isinstance(fact, Unknown):
        return unknown(f"DAX encryption at rest unknown: {fact.reason}", fact.origin)
    if fact.value:
        return passed("DAX server-side encryption at rest is enabled", fact.origin)
    return failed("DAX server-side encryption at rest is disabled", fact.origin)
