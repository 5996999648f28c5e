"""DDB.015: a DynamoDB endpoint in every VPC."""

from __future__ import annotations

from dynaguard.controls.base import Context
from dynaguard.model import Known, Status, VpcEndpoint

from .builders import DENIED, ctx, endpoint, one, scope, status, vpc

ID = "DDB.015"


def with_endpoints(*endpoints: VpcEndpoint) -> Context:
    return ctx(scope(vpc_endpoints=Known(tuple(endpoints))))


def test_gateway_endpoint_passes() -> None:
    v = one(ID, vpc())
    assert v.status is Status.PASS
    assert "vpce-0aaa" in v.reason


def test_interface_endpoint_passes() -> None:
    assert status(ID, vpc(), with_endpoints(endpoint(endpoint_type="Interface"))) is Status.PASS


def test_endpoint_declared_in_code_without_state_passes() -> None:
    assert status(ID, vpc(), with_endpoints(endpoint(state=None))) is Status.PASS


def test_no_endpoint_fails() -> None:
    v = one(ID, vpc(), with_endpoints())
    assert v.status is Status.FAIL
    assert "vpc-0123" in v.reason


def test_endpoint_in_another_vpc_does_not_count() -> None:
    assert status(ID, vpc(), with_endpoints(endpoint("vpc-other"))) is Status.FAIL


def test_endpoint_for_another_service_does_not_count() -> None:
    s3 = endpoint(service_name="com.amazonaws.eu-west-1.s3")
    assert status(ID, vpc(), with_endpoints(s3)) is Status.FAIL


def test_endpoint_for_another_region_does_not_count() -> None:
    other = endpoint(service_name="com.amazonaws.us-east-1.dynamodb")
    assert status(ID, vpc(), with_endpoints(other)) is Status.FAIL


def test_deleted_endpoint_does_not_count() -> None:
    v = one(ID, vpc(), with_endpoints(endpoint(state="deleted")))
    assert v.status is Status.FAIL
    assert "deleted" in v.reason


def test_pending_endpoint_is_unknown() -> None:
    assert status(ID, vpc(), with_endpoints(endpoint(state="pending"))) is Status.UNKNOWN


def test_endpoints_unknown_is_unknown_with_reason() -> None:
    v = one(ID, vpc(), ctx(scope(vpc_endpoints=DENIED)))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
