"""Fixtures for the live AWS source: moto in-process, offline credentials, fault injection.

Faults are injected the way EMULATOR.md describes, through botocore events on the very clients
the collector creates: ``Hooks`` is a CallRecorder (attached to every client at creation) that
also registers the test's handlers, so the product code needs no test seam of its own.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from dynaguard.sources.aws.recorder import CallRecorder

ACCOUNT = "123456789012"
REGION = "us-east-1"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
KEY_SCHEMA = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
}


@pytest.fixture(autouse=True)
def _offline_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without their sleeps, so retry tests take milliseconds."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)


@pytest.fixture
def aws() -> Iterator[Callable[..., Any]]:
    """In-process moto; yields ``client(service, region="us-east-1")`` for test setup."""
    with mock_aws():

        def client(service: str, region: str = REGION) -> Any:
            return boto3.client(service, region_name=region, config=NO_RETRY)

        yield client


def create_table(ddb: Any, name: str, **extra: Any) -> None:
    params: dict[str, Any] = {"TableName": name, **KEY_SCHEMA}
    if "ProvisionedThroughput" not in extra:
        params["BillingMode"] = "PAY_PER_REQUEST"
    ddb.create_table(**params, **extra)


Handler = Callable[..., Any]


class Hooks(CallRecorder):
    """A CallRecorder that also installs test handlers (and Stubbers) on every new client."""

    def __init__(self) -> None:
        super().__init__()
        self._handlers: list[tuple[str, str, str | None, Handler]] = []
        self._stubs: dict[str, Callable[[Stubber], None]] = {}
        self.clients: list[Any] = []

    def attach(self, client: Any) -> None:
        super().attach(client)
        self.clients.append(client)
        service = client.meta.service_model.signing_name
        for event, wanted, region, handler in self._handlers:
            if wanted in (service, "*") and region in (None, client.meta.region_name):
                client.meta.events.register(event, handler)
        if service in self._stubs:
            stubber = Stubber(client)
            self._stubs[service](stubber)
            stubber.activate()

    def on(self, service: str, event: str, handler: Handler, region: str | None = None) -> None:
        """Register ``handler`` for ``event`` on the clients of ``service`` (in ``region``)."""
        self._handlers.append((event, service, region, handler))

    def stub(self, service: str, script: Callable[[Stubber], None]) -> None:
        """Replace every call of ``service`` by the responses ``script`` queues."""
        self._stubs[service] = script

    def fail(
        self,
        service: str,
        operation: str,
        code: str,
        message: str = "injected",
        status: int = 400,
        times: int | None = None,
        when: Callable[[Any], bool] | None = None,
    ) -> list[int]:
        """Answer ``operation`` with an AWS-shaped error (``times`` times, or always).

        Injected at ``before-send``, so botocore parses and retries it like a real response.
        Returns a one-element list counting the injected responses.
        """
        injected = [0]

        def handler(request: Any, **_: Any) -> AWSResponse | None:
            if times is not None and injected[0] >= times:
                return None
            if when is not None and not when(request):
                return None
            injected[0] += 1
            return error_response(service, code, message, status, request.url)

        self.on(service, f"before-send.*.{operation}", handler)
        return injected

    def rewrite(
        self,
        service: str,
        operation: str,
        edit: Callable[[dict[str, Any]], None],
        region: str | None = None,
    ) -> None:
        """Edit the parsed response of ``operation`` (after-call) before the collector sees it."""

        def handler(parsed: dict[str, Any], http_response: Any, **_: Any) -> None:
            if http_response.status_code < 300:
                edit(parsed)

        self.on(service, f"after-call.*.{operation}", handler, region)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body.read()


XML_SERVICES = {"iam", "sts"}


def error_response(service: str, code: str, message: str, status: int, url: str) -> AWSResponse:
    headers = {"x-amzn-RequestId": "req-1"}
    if service == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>req-1</RequestID></Response>"
        )
    elif service in XML_SERVICES:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
        )
    else:
        body = json.dumps({"__type": f"com.amazonaws.{service}#{code}", "message": message})
        headers["x-amzn-ErrorType"] = code
    return AWSResponse(url, status, headers, _Raw(body.encode()))


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()
