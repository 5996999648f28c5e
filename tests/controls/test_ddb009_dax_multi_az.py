"""DDB.009: DAX nodes across zones — count zones, not nodes."""

from __future__ import annotations

from dynaguard.model import NOT_COLLECTED, Known, Status

from .builders import DENIED, REGION, ctx, dax, one, status

ID = "DDB.009"
A, B, C = f"{REGION}a", f"{REGION}b", f"{REGION}c"


def test_three_nodes_in_three_zones_passes() -> None:
    v = one(ID, dax())
    assert v.status is Status.PASS
    assert "3 Availability Zones" in v.reason


def test_three_nodes_in_one_zone_fails() -> None:
    """The peers' defect: counting nodes (3 >= 2) instead of zones (1 < 2)."""
    v = one(ID, dax(node_azs=Known((A, A, A))))
    assert v.status is Status.FAIL
    assert "1 Availability Zone" in v.reason


def test_two_zones_are_enough_by_default() -> None:
    assert status(ID, dax(node_azs=Known((A, A, B)))) is Status.PASS


def test_required_zone_count_comes_from_baseline() -> None:
    assert status(ID, dax(node_azs=Known((A, A, B))), ctx(dax_min_azs=3)) is Status.FAIL


def test_too_few_nodes_fails_even_across_zones() -> None:
    c = dax(node_azs=Known((A, B)), replication_factor=Known(2))
    v = one(ID, c)
    assert v.status is Status.FAIL
    assert "2 node(s)" in v.reason
    assert status(ID, c, ctx(dax_min_nodes=2)) is Status.PASS


def test_node_count_falls_back_to_node_list() -> None:
    c = dax(node_azs=Known((A, B)), replication_factor=NOT_COLLECTED)
    assert status(ID, c) is Status.FAIL
    assert status(ID, dax(replication_factor=NOT_COLLECTED)) is Status.PASS


def test_unknown_placement_is_unknown_with_reason() -> None:
    v = one(ID, dax(node_azs=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_no_nodes_reported_is_unknown() -> None:
    assert status(ID, dax(node_azs=Known(()))) is Status.UNKNOWN
