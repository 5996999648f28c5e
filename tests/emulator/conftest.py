"""Fixtures for the emulator tests: moto in-process (mock_aws) and moto's server, both patched.

Nothing here reaches the internet: in-process calls are intercepted by moto, server calls go
to 127.0.0.1. Both share moto's global state, so every test starts from a reset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from dynaguard.emulator import Emulator, apply_patches, start_emulator

ACCOUNT = "123456789012"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(autouse=True)
def _offline_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws() -> Iterator[Callable[..., Any]]:
    """In-process moto with the patches; yields ``client(service, region="us-east-1")``."""
    apply_patches()
    with mock_aws():

        def client(service: str, region: str = "us-east-1") -> Any:
            return boto3.client(service, region_name=region, config=NO_RETRY)

        yield client


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with start_emulator() as running:
        yield running


@pytest.fixture
def server(emulator: Emulator) -> Iterator[Callable[..., Any]]:
    """The shared server, reset; yields ``client(service, region="us-east-1")``."""
    emulator.reset()

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, config=NO_RETRY, **emulator.client_kwargs(region))

    yield client
    emulator.reset()


def make_table(ddb: Any, name: str = "t", **extra: Any) -> dict[str, Any]:
    """A minimal on-demand table (hash key pk); ``extra`` goes to CreateTable."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    kwargs.update(extra)
    return ddb.create_table(**kwargs)["TableDescription"]  # type: ignore[no-any-return]


def make_key(kms: Any, alias: str | None = None) -> dict[str, Any]:
    key = kms.create_key(Description="test")["KeyMetadata"]
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key  # type: ignore[no-any-return]
