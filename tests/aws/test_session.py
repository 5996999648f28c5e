"""Credentials, endpoints and clients: endpoint_url and AWS_ENDPOINT_URL honoured, the role
assumed first, one shared client per (region, service)."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from dynaguard.errors import UsageError
from dynaguard.model import Known, Unknown
from dynaguard.sources.aws import AwsOptions, collect
from dynaguard.sources.aws.session import AwsSession, role_session_name
from tests.aws.conftest import Hooks, create_table

FACTS = frozenset({"table.describe", "region.vpcs", "account.iam"})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        moto.stop()


@pytest.fixture
def served_table(server: str) -> str:
    request = urllib.request.Request(f"{server}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=server)
    create_table(ddb, "served")
    return server


@pytest.mark.slow
def test_endpoint_url_goes_to_every_client(served_table: str, hooks: Hooks) -> None:
    inventory = collect(AwsOptions(endpoint_url=served_table), FACTS, run_id="t", recorder=hooks)
    assert [t.name for t in inventory.tables()] == ["served"]
    assert isinstance(inventory.regions[0].vpcs, Known)
    assert isinstance(inventory.accounts[0].iam_policies, Known)
    services = {c.meta.service_model.signing_name for c in hooks.clients}
    assert services == {"sts", "dynamodb", "ec2", "iam"}
    assert {c.meta.endpoint_url for c in hooks.clients} == {served_table}


@pytest.mark.slow
def test_aws_endpoint_url_environment_is_honoured(
    served_table: str, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", served_table)
    inventory = collect(AwsOptions(), FACTS, run_id="t", recorder=hooks)
    assert [t.name for t in inventory.tables()] == ["served"]
    assert {c.meta.endpoint_url for c in hooks.clients} == {served_table}


@pytest.mark.slow
def test_service_specific_endpoint_variable_wins(
    served_table: str, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", served_table)
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")  # nothing listens there
    options = AwsOptions(max_attempts=1, connect_timeout=1)
    inventory = collect(options, FACTS, run_id="t", recorder=hooks)
    assert [t.name for t in inventory.tables()] == ["served"]
    vpcs = inventory.regions[0].vpcs
    assert isinstance(vpcs, Unknown) and "EndpointConnectionError" in vpcs.reason


def test_role_is_assumed_first_with_a_named_session(aws: Any, hooks: Hooks) -> None:
    role = "arn:aws:iam::111111111111:role/auditor"
    creds = aws("sts").assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
    other = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    create_table(other, "in-other-account")
    create_table(aws("dynamodb"), "in-caller-account")
    assumed: list[dict[str, Any]] = []
    hooks.on(
        "sts",
        "before-parameter-build.sts.AssumeRole",
        lambda params, **_: assumed.append(dict(params)),
    )
    options = AwsOptions(role_arn=role, external_id="ext-42")
    inventory = collect(options, frozenset({"table.describe"}), run_id="run-7", recorder=hooks)
    assert assumed == [
        {"RoleArn": role, "RoleSessionName": "dynaguard-run-7", "ExternalId": "ext-42"}
    ]
    assert inventory.accounts[0].account_id == "111111111111"
    assert [t.name for t in inventory.tables()] == ["in-other-account"]
    assert next(inventory.tables()).arn == (
        "arn:aws:dynamodb:us-east-1:111111111111:table/in-other-account"
    )


def test_role_session_name_fits_sts_rules() -> None:
    assert role_session_name("20260101T000000Z-ab12") == "dynaguard-20260101T000000Z-ab12"
    name = role_session_name("a run/with spaces:" + "x" * 80)
    assert len(name) == 64 and " " not in name and "/" not in name and ":" not in name


def test_one_shared_client_per_region_and_service(aws: Any) -> None:
    session = AwsSession(AwsOptions(concurrency=64, retry_mode="adaptive", max_attempts=7), "t")
    seen: list[Any] = []
    barrier = threading.Barrier(16)

    def grab() -> None:
        barrier.wait()
        seen.append(session.client("dynamodb", "eu-west-1"))

    threads = [threading.Thread(target=grab) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1
    assert session.client("dynamodb", "us-east-1") is not seen[0]
    config = seen[0].meta.config
    assert config.max_pool_connections >= 64
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 7}


def test_identity_is_read_once(aws: Any, hooks: Hooks) -> None:
    session = AwsSession(AwsOptions(), "t", hooks)
    assert session.account_id() == session.account_id() == "123456789012"
    assert hooks.count("sts:GetCallerIdentity") == 1


def test_unknown_profile_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="profile 'nope' not found"):
        AwsSession(AwsOptions(profile="nope"), "t")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"retry_mode": "legacy"}, "retry mode"),
        ({"max_attempts": 0}, "max attempts"),
        ({"regions": ("us-east-1", "Mars")}, "not an AWS region name: Mars"),
        ({"external_id": "x"}, "external id"),
    ],
)
def test_invalid_options_are_usage_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        AwsOptions(**fields)


def test_progress_reports_every_task(aws: Any) -> None:
    ddb = aws("dynamodb")
    for i in range(5):
        create_table(ddb, f"t{i}")
    updates: list[tuple[int, int]] = []
    collect(
        AwsOptions(),
        frozenset({"table.pitr", "region.vpcs"}),
        run_id="t",
        progress=lambda done, total: updates.append((done, total)),
    )
    done = [d for d, _ in updates]
    assert done == list(range(1, len(updates) + 1))
    assert updates[-1][0] == updates[-1][1] == 1 + 2 + 5  # listing, 2 vpc reads, 5 tables


@pytest.mark.slow
def test_dax_is_called_through_an_endpoint_override_even_where_aws_has_none(
    served_table: str, hooks: Hooks
) -> None:
    options = AwsOptions(regions=("me-central-1",), endpoint_url=served_table, max_attempts=1)
    inventory = collect(options, frozenset({"region.dax"}), run_id="t", recorder=hooks)
    assert hooks.count("dax:DescribeClusters") == 1  # asked, not assumed empty
    # moto has no DAX there either and answers with an HTML 500: summarised, never the page
    clusters = inventory.regions[0].dax_clusters
    assert isinstance(clusters, Unknown)
    assert clusters.reason.startswith("dax:DescribeClusters failed: 500: the endpoint answered")
    assert "HTTP 500" in clusters.reason and "<" not in clusters.reason
    assert "\n" not in clusters.reason and len(clusters.reason) < 400
