"""Count every AWS API operation a scan makes, as IAM names it (``dynamodb:DescribeTable``).

Attached to each client through botocore's event system, so it sees every call whatever code
made it: ``before-call`` fires once per operation (retries included in one call) and
``before-send`` once per HTTP attempt. The benchmark reports the counts, a test proves the
per-table API budget, and another checks that the shipped IAM policy allows every operation.
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

# Signing names that differ from the service's IAM prefix.
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
IAM_PREFIX = {"monitoring": "cloudwatch"}


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One operation: the IAM service prefix (the signing name), the operation and the region."""

    service: str
    operation: str
    region: str

    @property
    def action(self) -> str:
        """The IAM action that allows this call, e.g. ``dynamodb:DescribeTable``."""
        return f"{self.service}:{self.operation}"


class CallRecorder:
    """Thread-safe counters of operations (``calls``) and HTTP attempts (``attempts``).

    With ``keep_params`` it also keeps every call's parameters in order (``with_params``):
    tests use it to prove that a change touched nothing outside its selection."""

    def __init__(self, keep_params: bool = False) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[ApiCall] = Counter()
        self._attempts: Counter[ApiCall] = Counter()
        self._keep_params = keep_params
        self._params: list[tuple[ApiCall, dict[str, Any]]] = []

    def attach(self, client: Any) -> None:
        """Register on one boto3 client's events; call once per client."""
        service_model = client.meta.service_model
        signing = str(service_model.signing_name or service_model.endpoint_prefix)
        service = IAM_PREFIX.get(signing, signing)
        region = str(client.meta.region_name)

        def on_call(model: Any, **_: Any) -> None:
            self._add(self._calls, ApiCall(service, str(model.name), region))

        def on_send(event_name: str, **_: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]
            self._add(self._attempts, ApiCall(service, operation, region))

        def on_params(params: dict[str, Any], model: Any, **_: Any) -> None:
            with self._lock:
                self._params.append((ApiCall(service, str(model.name), region), dict(params)))

        # Registered at client creation, before any Stubber, so stubbed calls count too.
        client.meta.events.register("before-call.*.*", on_call)
        client.meta.events.register("before-send.*.*", on_send)
        if self._keep_params:
            client.meta.events.register("before-parameter-build.*.*", on_params)

    def _add(self, counter: Counter[ApiCall], call: ApiCall) -> None:
        with self._lock:
            counter[call] += 1

    def calls(self) -> Counter[ApiCall]:
        """Operations made, per (service, operation, region)."""
        with self._lock:
            return Counter(self._calls)

    def attempts(self) -> Counter[ApiCall]:
        """HTTP requests actually sent, retries included."""
        with self._lock:
            return Counter(self._attempts)

    def by_action(self) -> Counter[str]:
        """Operations made, per IAM action, all regions together."""
        out: Counter[str] = Counter()
        for call, n in self.calls().items():
            out[call.action] += n
        return out

    def count(self, action: str, region: str | None = None) -> int:
        """How many times ``action`` (``service:Operation``) was called, optionally in a region."""
        return sum(
            n
            for call, n in self.calls().items()
            if call.action == action and (region is None or call.region == region)
        )

    def actions(self) -> frozenset[str]:
        """Every IAM action the scan needed."""
        return frozenset(self.by_action())

    def with_params(self) -> list[tuple[ApiCall, dict[str, Any]]]:
        """Every call with its parameters, in order (only with ``keep_params``)."""
        with self._lock:
            return list(self._params)

    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._attempts.clear()
            self._params.clear()
