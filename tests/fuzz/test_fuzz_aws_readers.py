"""Fuzz the AWS response readers with real moto responses, mutated.

The account of ``tests/aws/sample_account.py`` is read once through the real collectors and
every response is recorded; each example then replays them with a few values broken, through
the same collectors, with no network and no threads. Properties:

- any mutation (a field deleted, set to any JSON value, the whole body replaced): the
  collectors return facts, never raise;
- a value replaced by one of another JSON type (a malformed body, not a different answer):
  every verdict of the clean account is kept or becomes UNKNOWN, never another verdict;
- botocore's own parsers, on any body, raise only what the reader's guard turns into a
  MalformedResponse (so a body botocore cannot parse is UNKNOWN too, never a traceback).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import BotoCoreError
from botocore.parsers import create_parser
from hypothesis import given
from hypothesis import strategies as st

from dynaguard.config import Baseline, Config
from dynaguard.controls.registry import all_controls
from dynaguard.engine import report_from_inventory
from dynaguard.model import Fact, Inventory, Known, RegionScope, Table
from dynaguard.sources.aws import dax, dynamodb, kms, scaling, vpcs
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.failures import FailureKind, ReadError
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.replicas import key_refs
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.shape import PARSE_FAILURES
from tests.aws.conftest import REGION
from tests.aws.sample_account import sample_account
from tests.fuzz.mutations import JSON, Key, broken, key_of
from tests.fuzz.strategies import FUZZ

ACCOUNT = "123456789012"
TABLE_FACTS = frozenset(
    {"table.describe", "table.pitr", "table.ttl", "table.tags", "table.resource_policy"}
)
CONFIG = Config(baseline=Baseline(required_tags=("owner",)))
CONTROLS = [c for c in all_controls() if c.id not in ("DDB.005", "DDB.012", "DDB.018")]


@dataclass(frozen=True, slots=True)
class Recorder(RegionReader):
    """Reads for real and keeps every response, and every failure."""

    seen: dict[Key, Any] = field(default_factory=dict)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        key = key_of(service, operation, params)
        try:
            response = RegionReader.call(self, service, operation, **params)
        except ReadError as err:
            self.seen[key] = err
            raise
        self.seen[key] = copy.deepcopy(response)
        return response

    def pages(self, service: str, operation: str, **params: Any) -> list[dict[str, Any]]:
        key = key_of(service, operation, params)
        try:
            pages = RegionReader.pages(self, service, operation, **params)
        except ReadError as err:
            self.seen[key] = err
            raise
        self.seen[key] = copy.deepcopy(pages)
        return pages


class _Session:
    """What the collectors ask of a session, without credentials or clients."""

    def partition(self, region: str) -> str:
        return "aws"

    def service_regions(self, service: str, region: str) -> frozenset[str]:
        return frozenset({region})


@dataclass(frozen=True, slots=True)
class Replay(RegionReader):
    """Answers every call from the recorded responses (as possibly broken bodies); a call the
    account never answered (a broken ARN names another resource) is ResourceNotFound."""

    answers: Mapping[Key, Any] = field(default_factory=dict)

    def _answer(self, service: str, operation: str, params: Mapping[str, Any]) -> Any:
        answer = self.answers.get(key_of(service, operation, params))
        if answer is None:
            raise ReadError(
                f"{service}:{operation}",
                self.region,
                "ResourceNotFoundException",
                "no such",
                FailureKind.OTHER,
            )
        if isinstance(answer, ReadError):
            raise answer
        return copy.deepcopy(answer)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._answer(service, operation, params)
        return answer

    def pages(self, service: str, operation: str, **params: Any) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self._answer(service, operation, params)
        return answer


def read_account(reader: RegionReader) -> Inventory:
    """The region as account_run reads it, sequentially."""
    listing: Fact[tuple[Table, ...]]
    try:
        names = dynamodb.list_table_names(reader, lambda name: True)
    except ReadError as err:  # as account_run: the region's tables are UNKNOWN
        listing, tables = err.unknown(), ()
    else:
        tables = tuple(dynamodb.collect_table(reader, n, TABLE_FACTS).table for n in names)
        listing = Known(tables)
    keys = {ref for t in tables for ref in key_refs(t.encryption)}
    scope = RegionScope(
        ACCOUNT,
        REGION,
        tables=listing,
        dax_clusters=dax.collect_dax_clusters(reader),
        scaling=scaling.collect_scaling(reader),
        vpcs=vpcs.collect_vpcs(reader),
        vpc_endpoints=vpcs.collect_vpc_endpoints(reader),
        kms_keys={ref: kms.collect_key(reader, ref, rotation=True) for ref in keys},
    )
    return Inventory("aws", (scope,))


def verdicts(inventory: Inventory) -> dict[tuple[str, str], str]:
    report = report_from_inventory(inventory, CONTROLS, CONFIG, "fuzz")
    return {(f.control_id, f.resource_id): f.status.value for f in report.findings}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Key, Any]]:
    with sample_account(tmp_path_factory.mktemp("aws")):
        reader = Recorder(AwsSession(AwsOptions(), "fuzz"), BreakerBoard(), ACCOUNT, REGION)
        read_account(reader)
        yield reader.seen


@pytest.fixture(scope="module")
def clean(recorded: dict[Key, Any]) -> dict[tuple[str, str], str]:
    found = verdicts(read_account(replay(recorded)))
    assert found[("DDB.014", "alpha")] == "PASS" and found[("DDB.004", "beta")] == "PASS"
    return found


def replay(answers: Mapping[Key, Any]) -> Replay:
    return Replay(_Session(), BreakerBoard(), ACCOUNT, REGION, answers)  # type: ignore[arg-type]


@FUZZ
@given(data=st.data())
def test_any_mutation_never_raises(recorded: dict[Key, Any], data: st.DataObject) -> None:
    answers = data.draw(broken(recorded, "any"))
    verdicts(read_account(replay(answers)))


@FUZZ
@given(data=st.data())
def test_malformed_values_never_change_a_verdict(
    recorded: dict[Key, Any], clean: dict[tuple[str, str], str], data: st.DataObject
) -> None:
    answers = data.draw(broken(recorded, "retyped"))
    found = verdicts(read_account(replay(answers)))
    stand_ins = {cid for cid, rid in found if rid.startswith("*")}
    encryption_unknown = found.get(("DDB.001", "alpha")) == "UNKNOWN"
    for key, status in clean.items():
        if key not in found:  # only with a region-wide UNKNOWN, or the key of an unknown table
            assert key[0] in stand_ins or (key[0] == "DDB.016" and encryption_unknown), key
            continue
        assert found[key] in (status, "UNKNOWN"), (key, status, found[key])


@functools.cache
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


@FUZZ
@given(body=st.one_of(st.binary(max_size=60), JSON.map(lambda v: json.dumps(v).encode())))
@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("dynamodb", "DescribeTable"),
        ("dynamodb", "ListTables"),
        ("dynamodb", "DescribeTimeToLive"),
        ("kms", "DescribeKey"),
        ("dax", "DescribeClusters"),
        ("application-autoscaling", "DescribeScalableTargets"),
        ("ec2", "DescribeVpcs"),
        ("ec2", "DescribeRegions"),
        ("sts", "GetCallerIdentity"),
        ("sts", "AssumeRole"),
        ("account", "ListRegions"),
        ("organizations", "ListAccounts"),
        ("organizations", "ListOrganizationalUnitsForParent"),
        ("cloudwatch", "DescribeAlarms"),
    ],
)
def test_botocore_parsers_raise_only_what_the_guard_classifies(
    service: str, operation: str, body: bytes
) -> None:
    model = _service_model(service)
    op = model.operation_model(operation)
    parser = create_parser(model.metadata["protocol"])
    response = {"body": body, "headers": {}, "status_code": 200}
    try:
        parser.parse(response, op.output_shape)
    except (BotoCoreError, *PARSE_FAILURES):
        pass  # the guard turns these into MalformedResponse (UNKNOWN)
