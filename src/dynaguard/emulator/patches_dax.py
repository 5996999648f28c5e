"""DAX gaps: node placement over Availability Zones. See :mod:`dynaguard.emulator.patches`.

AWS: "If provided, the length of [AvailabilityZones] must equal the ReplicationFactor
parameter. If you omit this parameter, DAX will spread the nodes across Availability Zones for
the highest availability."
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_CreateCluster.html
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any


def install() -> None:
    from moto.dax.responses import DAXResponse

    _patch_create_cluster(DAXResponse)
    _patch_increase_replication_factor(DAXResponse)


def region_zones(region: str) -> list[str]:
    """The region's Availability Zone names, as moto's EC2 reports them."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    zones = RegionsAndZonesBackend.zones.get(region) or []
    names = [zone.name for zone in zones]
    return names or [f"{region}{letter}" for letter in "abc"]


def _invalid(message: str) -> Exception:
    from moto.dax.exceptions import InvalidParameterValueException

    return InvalidParameterValueException(message)


def _requested_zones(response: Any, region: str) -> list[str] | None:
    zones = json.loads(response.body).get("AvailabilityZones")
    if not zones:
        return None
    known = set(region_zones(region))
    for zone in zones:
        if zone not in known:
            raise _invalid(f"Invalid Availability Zone {zone} for region {region}")
    return list(zones)


def _spread(existing: list[str], count: int, region: str) -> list[str]:
    """``count`` zones for new nodes, least used first (AWS's default placement)."""
    zones = region_zones(region)
    used = Counter(existing)
    chosen: list[str] = []
    for _ in range(count):
        zone = min(zones, key=lambda z: (used[z], zones.index(z)))
        used[zone] += 1
        chosen.append(zone)
    return chosen


def _place(cluster: Any, first_new: int, zones: list[str]) -> None:
    for node, zone in zip(cluster.nodes[first_new:], zones, strict=False):
        node.availability_zone = zone


def _patch_create_cluster(response_cls: Any) -> None:
    """DAX-1: CreateCluster places nodes in AvailabilityZones (or spreads them)."""
    original = response_cls.create_cluster

    def create_cluster(self: Any) -> str:
        params = json.loads(self.body)
        zones = _requested_zones(self, self.region)
        factor = int(params.get("ReplicationFactor") or 0)
        if zones is not None and len(zones) != factor:
            raise _invalid(
                "The number of Availability Zones must equal the ReplicationFactor "
                f"({len(zones)} != {factor})"
            )
        original(self)
        cluster = self.dax_backend.clusters[params["ClusterName"]]
        _place(cluster, 0, zones or _spread([], len(cluster.nodes), self.region))
        return json.dumps({"Cluster": cluster.to_json()})

    response_cls.create_cluster = create_cluster


def _patch_increase_replication_factor(response_cls: Any) -> None:
    """DAX-2: IncreaseReplicationFactor places the new nodes in AvailabilityZones."""
    original = response_cls.increase_replication_factor

    def increase_replication_factor(self: Any) -> str:
        params = json.loads(self.body)
        zones = _requested_zones(self, self.region)
        name = params.get("ClusterName")
        before = self.dax_backend.clusters.get(name)
        first_new = len(before.nodes) if before is not None else 0
        original(self)
        cluster = self.dax_backend.clusters[name]
        count = len(cluster.nodes) - first_new
        if zones is None:
            existing = [n.availability_zone for n in cluster.nodes[:first_new]]
            zones = _spread(existing, count, self.region)
        _place(cluster, first_new, [zones[i % len(zones)] for i in range(count)])
        return json.dumps({"Cluster": cluster.to_json()})

    response_cls.increase_replication_factor = increase_replication_factor
