"""Circuit breakers per (account, region, service): a dead or refusing endpoint fails fast.

Without one, a region whose endpoint times out costs every table its full retry budget (many
seconds each). After ``threshold`` consecutive failures that say the endpoint is gone
(connection errors, timeouts, 5xx after retries) or that the credentials are refused, further
calls to that service in that region are not sent: they fail at once with a ``BreakerOpenError``
("skipped: dynamodb in eu-west-1 failing: <last error>"), which the collectors turn into
UNKNOWN facts. Any success closes the circuit. After ``cooldown_s`` one probe call is let
through (half-open): success closes the circuit, failure re-opens it.

Access denial is per IAM action (and may be per resource), so it trips a circuit of its own per
operation: a role without ``dynamodb:DescribeTimeToLive`` must not make DescribeTable fail
fast. Once an operation has succeeded, its denials are resource-scoped (the policy allows some
tables) and never trip it, so readable tables are still read.
https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/circuit-breaker.html
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from dynaguard.logs import get_logger
from dynaguard.sources.aws.failures import BreakerOpenError, FailureKind, ReadError

log = get_logger("aws.breaker")

DEFAULT_THRESHOLD = 5
DEFAULT_COOLDOWN_S = 30.0


@dataclass(slots=True)
class _Circuit:
    """Mutable state of one circuit; always used under the owning breaker's lock."""

    failures: int = 0
    opened_at: float | None = None
    probing: bool = False
    last_error: str = ""

    def reset(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False


class CircuitBreaker:
    """The breaker of one (account, region, service). Thread-safe."""

    def __init__(
        self,
        service: str,
        region: str,
        threshold: int = DEFAULT_THRESHOLD,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.region = region
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._service = _Circuit()
        self._denied: dict[str, _Circuit] = {}
        self._proven: set[str] = set()  # operations that succeeded at least once

    def check(self, operation: str) -> None:
        """Raise ``BreakerOpenError`` instead of letting a call to ``operation`` be sent."""
        action = f"{self.service}:{operation}"
        with self._lock:
            if not self._admit(self._service):
                raise BreakerOpenError(action, self.region, self.service, self._service.last_error)
            denied = self._denied.get(operation)
            if denied is not None and not self._admit(denied):
                raise BreakerOpenError(action, self.region, action, denied.last_error)

    def record_success(self, operation: str) -> None:
        with self._lock:
            self._service.reset()
            self._proven.add(operation)
            self._denied.pop(operation, None)

    def record_failure(self, operation: str, error: ReadError) -> None:
        with self._lock:
            if error.kind in (FailureKind.UNREACHABLE, FailureKind.REJECTED):
                self._fail(self._service, error, self.service)
            elif error.kind is FailureKind.DENIED:
                self._service.reset()  # the endpoint answered
                if operation not in self._proven:
                    denied = self._denied.setdefault(operation, _Circuit())
                    self._fail(denied, error, error.action)
            elif error.kind is FailureKind.OTHER:  # answered, authorized: a success for us
                self._service.reset()
                self._proven.add(operation)
                self._denied.pop(operation, None)
            else:  # throttled: the endpoint is alive but we learned nothing; end any probe
                for probed in (self._service, self._denied.get(operation)):
                    if probed is not None and probed.probing:
                        probed.probing, probed.opened_at = False, self._clock()

    def is_open(self) -> bool:
        with self._lock:
            return self._service.opened_at is not None

    def _admit(self, circuit: _Circuit) -> bool:
        if circuit.opened_at is None:
            return True
        if circuit.probing or self._clock() - circuit.opened_at < self.cooldown_s:
            return False
        circuit.probing = True  # half-open: this one call probes the endpoint
        return True

    def _fail(self, circuit: _Circuit, error: ReadError, what: str) -> None:
        circuit.last_error = error.error
        circuit.failures += 1
        if circuit.probing or circuit.failures >= self.threshold:
            if circuit.opened_at is None or circuit.probing:
                log.warning(
                    "%s in %s failing (%s): skipping further calls for %.0f s",
                    what,
                    self.region,
                    error.error,
                    self.cooldown_s,
                )
            circuit.opened_at = self._clock()
            circuit.probing = False


class BreakerBoard:
    """All breakers of a run, created on first use. Thread-safe."""

    def __init__(
        self, threshold: int = DEFAULT_THRESHOLD, cooldown_s: float = DEFAULT_COOLDOWN_S
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._lock = threading.Lock()
        self._breakers: dict[tuple[str, str, str], CircuitBreaker] = {}

    def get(self, account_id: str, region: str, service: str) -> CircuitBreaker:
        key = (account_id, region, service)
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = CircuitBreaker(service, region, self.threshold, self.cooldown_s)
                self._breakers[key] = breaker
            return breaker
