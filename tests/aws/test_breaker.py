"""The circuit breaker: trips on a dead or refusing endpoint, fails fast, recovers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from dynaguard.model import Known, Unknown
from dynaguard.sources.aws import AwsOptions, collect
from dynaguard.sources.aws.breaker import BreakerBoard, CircuitBreaker
from dynaguard.sources.aws.failures import BreakerOpenError, FailureKind, ReadError
from tests.aws.conftest import Hooks, create_table


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def error(kind: FailureKind, code: str = "EndpointConnectionError") -> ReadError:
    return ReadError("dynamodb:DescribeTable", "eu-west-1", code, "cannot connect", kind)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("dynamodb", "eu-west-1", threshold=5, cooldown_s=30, clock=clock)


def fail(breaker: CircuitBreaker, n: int, kind: FailureKind, op: str = "DescribeTable") -> None:
    for _ in range(n):
        breaker.record_failure(op, error(kind))


def test_trips_after_consecutive_endpoint_failures(breaker: CircuitBreaker) -> None:
    fail(breaker, 4, FailureKind.UNREACHABLE)
    breaker.check("DescribeTable")  # still closed
    fail(breaker, 1, FailureKind.UNREACHABLE)
    with pytest.raises(BreakerOpenError) as raised:
        breaker.check("ListTagsOfResource")  # the whole service fails fast
    assert str(raised.value) == (
        "skipped: dynamodb in eu-west-1 failing: EndpointConnectionError: cannot connect"
    )
    assert raised.value.unknown().reason.startswith("skipped: dynamodb in eu-west-1")


def test_a_success_resets_the_count(breaker: CircuitBreaker) -> None:
    fail(breaker, 4, FailureKind.UNREACHABLE)
    breaker.record_success("DescribeTable")
    fail(breaker, 4, FailureKind.REJECTED)
    breaker.check("DescribeTable")
    assert not breaker.is_open()


def test_denial_trips_only_the_denied_action(breaker: CircuitBreaker) -> None:
    fail(breaker, 5, FailureKind.DENIED, op="DescribeTimeToLive")
    with pytest.raises(BreakerOpenError, match="skipped: dynamodb:DescribeTimeToLive"):
        breaker.check("DescribeTimeToLive")
    breaker.check("DescribeTable")  # another action of the service is still sent


def test_denial_of_an_action_that_worked_before_never_trips(breaker: CircuitBreaker) -> None:
    breaker.record_success("DescribeTable")  # the policy allows some tables
    fail(breaker, 20, FailureKind.DENIED)
    breaker.check("DescribeTable")


def test_throttling_and_answers_do_not_trip(breaker: CircuitBreaker) -> None:
    fail(breaker, 20, FailureKind.THROTTLED)
    fail(breaker, 20, FailureKind.OTHER)
    breaker.check("DescribeTable")


def test_half_open_after_the_cooldown(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 5, FailureKind.UNREACHABLE)
    clock.now = 29
    with pytest.raises(BreakerOpenError):
        breaker.check("DescribeTable")
    clock.now = 31
    breaker.check("DescribeTable")  # one probe goes through
    with pytest.raises(BreakerOpenError):
        breaker.check("DescribeTable")  # ... and only one
    fail(breaker, 1, FailureKind.UNREACHABLE)  # the probe failed: open again
    clock.now = 40
    with pytest.raises(BreakerOpenError):
        breaker.check("DescribeTable")
    clock.now = 62
    breaker.check("DescribeTable")
    breaker.record_success("DescribeTable")  # the probe worked: closed
    breaker.check("DescribeTable")
    breaker.check("DescribeTable")


def test_board_keys_by_account_region_and_service() -> None:
    board = BreakerBoard()
    a = board.get("111", "us-east-1", "dynamodb")
    assert board.get("111", "us-east-1", "dynamodb") is a
    assert board.get("222", "us-east-1", "dynamodb") is not a
    assert board.get("111", "eu-west-1", "dynamodb") is not a
    assert board.get("111", "us-east-1", "kms") is not a


def test_a_dead_endpoint_fails_fast_in_a_scan(aws: Any, hooks: Hooks, no_backoff: None) -> None:
    ddb = aws("dynamodb")
    for i in range(20):
        create_table(ddb, f"t{i:02d}")

    def refuse(request: Any, **_: Any) -> None:
        raise EndpointConnectionError(endpoint_url=request.url)

    hooks.on("dynamodb", "before-send.*.DescribeTable", refuse)
    options = AwsOptions(concurrency=1, max_attempts=2)
    facts = frozenset({"table.describe", "region.vpcs"})
    inventory = collect(options, facts, run_id="t", recorder=hooks)
    sent = {c.operation: n for c, n in hooks.attempts().items()}
    assert sent["DescribeTable"] == 5 * 2  # 5 failed calls (each retried once), then none
    reasons = [t.encryption.reason for t in inventory.tables() if isinstance(t.encryption, Unknown)]
    assert len(reasons) == 20
    assert sum("EndpointConnectionError" in r and r.startswith("dynamodb:") for r in reasons) == 5
    skipped = [r for r in reasons if r.startswith("skipped: dynamodb in us-east-1 failing: ")]
    assert len(skipped) == 15 and "EndpointConnectionError" in skipped[0]
    assert isinstance(inventory.regions[0].vpcs, Known)  # ec2 has its own breaker
