"""Redaction holds at -vvv, with botocore's debug logging on: the session token of the
environment, an assumed role's SessionToken, SecretAccessKey and AccessKeyId (from the STS
response) and the external id never reach stderr, in any of the shapes botocore logs them."""

from __future__ import annotations

import logging
import re
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dynaguard.cli.main import run

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEtokenTHATmustNEVERbeLOGGED0123456789abcdef"
EXTERNAL_ID = "MyExternalIdSecret123"


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        boto3.client("dynamodb", region_name="us-east-1").create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield
    for name in ("dynaguard", "botocore"):
        logging.getLogger(name).handlers.clear()
    logging.getLogger("botocore").setLevel(logging.WARNING)


def assumed_credentials() -> list[str]:
    """What moto's STS handed out to the assumed role (its backend keeps them)."""
    from moto.sts.models import sts_backends

    found = []
    for partition in sts_backends.values():
        for backend in partition.values():
            for role in getattr(backend, "assumed_roles", []):
                found += [role.access_key_id, role.secret_access_key, role.session_token]
    return found


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_secret_in_vvv_logs(account: Any, capsys: Any, log_format: str) -> None:
    code = run(
        [
            "scan",
            "-vvv",
            "--log-format",
            log_format,
            "--region",
            "us-east-1",
            "--controls",
            "DDB.003",
            "--role-arn",
            "arn:aws:iam::123456789012:role/audit",
            "--external-id",
            EXTERNAL_ID,
        ]
    )
    err = capsys.readouterr().err
    assert code in (0, 1)
    assert "AssumeRole" in err and "x-amz-security-token" in err.lower()  # botocore did log
    secrets = [SECRET_KEY, SESSION_TOKEN, EXTERNAL_ID, *assumed_credentials()]
    assert len(secrets) >= 6  # the assumed role's three are known
    for secret in secrets:
        assert secret not in err, secret[:12]
    for element in ("SessionToken", "SecretAccessKey", "AccessKeyId"):
        values = re.findall(rf"<{element}>([^<]*)</{element}>", err)
        assert all(v == "[REDACTED]" for v in values), values
