"""DDB.008: DAX cluster endpoint encrypted in transit (TLS).

``ClusterEndpointEncryptionType`` is NONE or TLS and is fixed at creation: no in-place fix.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import DaxCluster, Unknown


@control(
    id="DDB.008",
    title="DAX cluster endpoint uses TLS",
    severity="medium",
    subject=DaxCluster,
    facts={"region.dax"},
    rationale="Without TLS, items and requests travel in clear text between clients and the "
    "DAX cluster inside the VPC, readable by anything that can observe that traffic.",
    remediation="The endpoint encryption type can only be chosen at creation: create a new "
    "cluster with aws dax create-cluster ... --cluster-endpoint-encryption-type TLS, switch "
    "clients to the daxs:// endpoint, then delete the old cluster (dynaguard harden reports "
    "this as MANUAL)",
)
def dax_cluster_endpoint_tls(cluster: DaxCluster, ctx: Context) -> Verdict:
    fact = cluster.endpoint_encryption
    if isinstance(fact, Unknown):
        return unknown(f"DAX endpoint encryption type unknown: {fact.reason}", fact.origin)
    if fact.value.upper() == "TLS":
        return passed("DAX cluster endpoint encryption is TLS", fact.origin)
    return failed(
        f"DAX cluster endpoint encryption is {fact.value or 'NONE'}: traffic is not encrypted "
        "in transit",
        fact.origin,
    )
