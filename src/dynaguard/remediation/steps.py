"""Running a change's API calls: placeholders, retries, and waiting for the resource to settle.

DynamoDB allows one update at a time per table: after each UpdateTable the runner waits until
``TableStatus`` is ACTIVE, ``SSEDescription.Status`` has settled and every replica is ACTIVE
before the next call. ``ResourceInUseException``, ``LimitExceededException`` and throttling
that outlived botocore's own retries are retried here with exponential backoff and jitter.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.remediation.change import ApiStep, Change, ResourceRef
from dynaguard.report import Finding
from dynaguard.sources.aws.failures import THROTTLING_CODES, read_error
from dynaguard.sources.aws.session import AwsSession

RETRYABLE_CODES = frozenset({"ResourceInUseException", "LimitExceededException"}) | THROTTLING_CODES
SETTLING_SSE = frozenset({"UPDATING", "ENABLING", "DISABLING"})
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ChangeFailed(Exception):
    """A change that could not be applied or did not show up; the message says why."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Polling and retry pacing. Tests shrink these; AWS needs the defaults."""

    poll_s: float = 1.0  # first wait between describes; doubles up to poll_max_s
    poll_max_s: float = 10.0
    timeout_s: float = 1800.0  # an SSE switch on a large table can take many minutes
    retry_base_s: float = 1.0
    retry_max_s: float = 30.0
    retry_attempts: int = 8


def service_of(action: str) -> tuple[str, str]:
    """``dynamodb:UpdateTable`` -> (boto3 service name, operation)."""
    prefix, operation = action.split(":", 1)
    return prefix, operation


def dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, Mapping) else None
    return data


def fill(value: Any, outputs: Mapping[str, Any]) -> Any:
    """Replace ``{{name}}`` placeholders (whole strings or parts) with step outputs."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return outputs[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(outputs[m.group(1)]), value)
    if isinstance(value, Mapping):
        return {k: fill(v, outputs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [fill(v, outputs) for v in value]
    return value


class StepRunner:
    """Makes a change's calls through the run's shared session (and its CallRecorder)."""

    def __init__(
        self,
        session: AwsSession,
        timing: Timing,
        rescan: Callable[[ResourceRef, str], list[Finding]] | None = None,
    ) -> None:
        self.session = session
        self.timing = timing
        self.rescan = rescan

    def client(self, service: str, region: str) -> Any:
        return self.session.client(service, region)

    def read(self, action: str, region: str, **params: Any) -> dict[str, Any]:
        """A read made while applying or verifying; failures are ChangeFailed."""
        service, operation = service_of(action)
        try:
            response: dict[str, Any] = getattr(self.client(service, region), xform_name(operation))(
                **params
            )
        except (ClientError, BotoCoreError) as exc:
            raise ChangeFailed(_error_text(exc, action, region)) from None
        return response

    def run_change(self, change: Change, outputs: dict[str, Any] | None = None) -> dict[str, Any]:
        """Each step in order, waiting for the resource to settle after each one."""
        produced: dict[str, Any] = dict(outputs or {})
        for step in change.steps:
            produced.update(self.run_step(step, produced))
        return produced

    def run_step(self, step: ApiStep, outputs: Mapping[str, Any]) -> dict[str, Any]:
        params = fill(dict(step.params), outputs)
        service, operation = service_of(step.action)
        client = self.client(service, step.region)
        attempt = 0
        while True:
            self.wait_ready(step)
            try:
                response = getattr(client, xform_name(operation))(**params)
                break
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                attempt += 1
                if code not in RETRYABLE_CODES or attempt >= self.timing.retry_attempts:
                    raise ChangeFailed(_error_text(exc, step.action, step.region)) from None
                self._backoff(attempt)
            except BotoCoreError as exc:
                raise ChangeFailed(_error_text(exc, step.action, step.region)) from None
        self.wait_ready(step)
        return {name: dig(response, path) for name, path in step.outputs.items()}

    def _backoff(self, attempt: int) -> None:
        delay = min(self.timing.retry_max_s, self.timing.retry_base_s * 2 ** (attempt - 1))
        time.sleep(delay * random.uniform(0.5, 1.0))

    def wait_ready(self, step: ApiStep) -> None:
        if step.wait == "table" and step.table:
            self.wait_for_table(step.table, step.region)
        elif step.wait == "dax":
            self.wait_for_dax(str(step.params.get("ClusterName")), step.region)

    def wait_for_table(self, name: str, region: str) -> None:
        """Until the table is ACTIVE, its SSE settled and every replica ACTIVE."""
        self._poll(lambda: self._table_settled(name, region), f"table {name} in {region}")

    def wait_for_dax(self, name: str, region: str) -> None:
        def ready() -> str | None:
            clusters = self.read("dax:DescribeClusters", region, ClusterNames=[name])["Clusters"]
            status = clusters[0].get("Status") if clusters else "missing"
            return None if status == "available" else f"status {status}"

        self._poll(ready, f"DAX cluster {name} in {region}")

    def _table_settled(self, name: str, region: str) -> str | None:
        table = self.read("dynamodb:DescribeTable", region, TableName=name)["Table"]
        if table.get("TableStatus") != "ACTIVE":
            return f"status {table.get('TableStatus')}"
        sse = (table.get("SSEDescription") or {}).get("Status")
        if sse in SETTLING_SSE:
            return f"encryption {sse}"
        for replica in table.get("Replicas") or ():
            if replica.get("ReplicaStatus") not in (None, "ACTIVE"):
                return f"replica {replica.get('RegionName')} {replica.get('ReplicaStatus')}"
        return None

    def _poll(self, not_ready: Callable[[], str | None], what: str) -> None:
        deadline = time.monotonic() + self.timing.timeout_s
        delay = self.timing.poll_s
        while True:
            why = not_ready()
            if why is None:
                return
            if time.monotonic() + delay > deadline:
                raise ChangeFailed(
                    f"{what} did not settle within {self.timing.timeout_s:g} s: {why}"
                )
            time.sleep(delay)
            delay = min(self.timing.poll_max_s, delay * 2)


def _error_text(exc: Exception, action: str, region: str) -> str:
    error = read_error(exc, action, region)
    return error.reason if error is not None else f"{action} failed: {exc}"
