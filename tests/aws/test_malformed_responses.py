"""A 200 response whose body lacks a field or has the wrong type: UNKNOWN for what it feeds,
never a traceback, never a verdict that the clean account would not give (a PASS turned into a
FAIL), never a finding that vanishes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynaguard.config import Baseline, Config
from dynaguard.controls.registry import all_controls
from dynaguard.engine import report_from_inventory
from dynaguard.model import Unknown
from dynaguard.sources.aws import AwsOptions, collect
from tests.aws.conftest import Hooks
from tests.aws.sample_account import sample_account

FACTS = frozenset(
    {
        "table.describe",
        "table.pitr",
        "table.ttl",
        "table.tags",
        "table.resource_policy",
        "kms.rotation",
        "region.vpcs",
        "region.dax",
        "region.scaling",
    }
)
CONFIG = Config(baseline=Baseline(encryption="cmk", required_tags=("owner",)))
CONTROLS = [c for c in all_controls() if c.id not in ("DDB.005", "DDB.012")]  # i8's reads


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One account for the whole module (moto builds it in seconds, the tests only rewrite
    responses): a table that passes most controls, a provisioned table with auto scaling, a
    VPC with a DynamoDB endpoint and a DAX cluster."""
    with sample_account(tmp_path_factory.mktemp("aws")) as aws:
        yield aws


def verdicts(hooks: Hooks) -> dict[tuple[str, str], tuple[str, str]]:
    inventory = collect(AwsOptions(), FACTS, run_id="t", recorder=hooks)
    report = report_from_inventory(inventory, CONTROLS, CONFIG, "t")
    return {(f.control_id, f.resource_id): (f.status.value, f.reason) for f in report.findings}


def assert_honest(
    clean: dict[tuple[str, str], tuple[str, str]], broken: dict[tuple[str, str], tuple[str, str]]
) -> set[tuple[str, str]]:
    """Every clean verdict is kept or became UNKNOWN; nothing vanished unless a region-wide
    UNKNOWN stands for it. Returns the findings that became UNKNOWN."""
    changed = set()
    stand_ins = {cid for (cid, rid), (status, _) in broken.items() if rid.startswith("*")}
    # a key is judged (DDB.016) once a table is known to use it: when the table's encryption
    # became UNKNOWN (DDB.001), its key's finding goes with it, and the table's stands for it
    key_unknown = any(cid == "DDB.001" and s == "UNKNOWN" for (cid, _), (s, _) in broken.items())
    for key, (status, _) in clean.items():
        if key not in broken:
            assert key[0] in stand_ins or (key[0] == "DDB.016" and key_unknown), f"{key} vanished"
            continue
        new = broken[key][0]
        assert new in (status, "UNKNOWN"), f"{key}: {status} became {new}: {broken[key][1]}"
        if new != status:
            changed.add(key)
    return changed


Edit = Callable[[dict[str, Any]], None]


def drop(*path: Any) -> Edit:
    def edit(parsed: dict[str, Any]) -> None:
        node: Any = parsed
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return edit


def put(value: Any, *path: Any) -> Edit:
    def edit(parsed: dict[str, Any]) -> None:
        node: Any = parsed
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


def empty(parsed: dict[str, Any]) -> None:
    for key in [k for k in parsed if k != "ResponseMetadata"]:
        del parsed[key]


CASES = [
    # (service, operation, edit, findings that must turn UNKNOWN)
    ("dynamodb", "DescribeTimeToLive", empty, {("DDB.014", "alpha")}),
    (
        "dynamodb",
        "DescribeTimeToLive",
        drop("TimeToLiveDescription", "TimeToLiveStatus"),
        {("DDB.014", "alpha")},
    ),
    ("dynamodb", "DescribeContinuousBackups", empty, {("DDB.002", "alpha")}),
    (
        "dynamodb",
        "DescribeContinuousBackups",
        put("yes", "ContinuousBackupsDescription", "PointInTimeRecoveryDescription"),
        {("DDB.002", "alpha")},
    ),
    ("dynamodb", "DescribeTable", put("x", "Table", "SSEDescription"), {("DDB.001", "alpha")}),
    ("dynamodb", "DescribeTable", drop("Table"), {("DDB.001", "alpha"), ("DDB.003", "alpha")}),
    ("dynamodb", "DescribeTable", put(5, "Table", "TableStatus"), set()),
    ("dynamodb", "ListTagsOfResource", put(5, "Tags"), {("DDB.017", "alpha")}),
    ("dynamodb", "ListTagsOfResource", put([{"Key": "owner"}], "Tags"), {("DDB.017", "alpha")}),
    ("dynamodb", "GetResourcePolicy", drop("Policy"), {("DDB.006", "alpha")}),
    ("kms", "DescribeKey", drop("KeyMetadata", "KeyManager"), {("DDB.001", "alpha")}),
    ("kms", "DescribeKey", put("SOMEONE", "KeyMetadata", "KeyManager"), {("DDB.001", "alpha")}),
    ("kms", "GetKeyRotationStatus", empty, set()),
    ("ec2", "DescribeVpcs", empty, set()),
    ("ec2", "DescribeVpcEndpoints", put([{"VpcEndpointId": "vpce-1"}], "VpcEndpoints"), set()),
    ("dax", "DescribeClusters", empty, set()),
    ("dax", "DescribeClusters", put("lots", "Clusters", 0, "TotalNodes"), set()),
    ("application-autoscaling", "DescribeScalableTargets", empty, {("DDB.004", "beta")}),
    (
        "application-autoscaling",
        "DescribeScalingPolicies",
        put([{"ResourceId": "table/beta"}], "ScalingPolicies"),
        {("DDB.004", "beta")},
    ),
]


@pytest.fixture(scope="module")
def clean(account: Any) -> dict[tuple[str, str], tuple[str, str]]:
    found = verdicts(Hooks())
    # the account is built to pass these: the regressions below are about PASS -> FAIL
    for key in [
        ("DDB.001", "alpha"),
        ("DDB.002", "alpha"),
        ("DDB.003", "alpha"),
        ("DDB.004", "beta"),
        ("DDB.006", "alpha"),
        ("DDB.014", "alpha"),
        ("DDB.017", "alpha"),
    ]:
        assert found[key][0] == "PASS", (key, found[key])
    return found


@pytest.mark.parametrize(
    ("service", "operation", "edit", "unknown"),
    CASES,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_malformed_body_is_unknown_for_what_it_feeds(
    clean: Any, hooks: Hooks, service: str, operation: str, edit: Edit, unknown: set[Any]
) -> None:
    hooks.rewrite(service, operation, edit)
    broken = verdicts(hooks)
    changed = assert_honest(clean, broken)
    assert unknown <= changed, (unknown - changed, broken)
    for key in changed:
        assert "MalformedResponse" in broken[key][1], broken[key]


def test_empty_ttl_body_no_longer_turns_pass_into_fail(clean: Any, hooks: Hooks) -> None:
    hooks.rewrite("dynamodb", "DescribeTimeToLive", empty)
    status, reason = verdicts(hooks)[("DDB.014", "alpha")]
    assert status == "UNKNOWN"
    assert (
        reason.endswith(
            "dynamodb:DescribeTimeToLive failed: MalformedResponse: TimeToLiveDescription: "
            "expected an object, got nothing (the field is missing)"
        )
        or "TimeToLiveDescription" in reason
    )


def test_vpcs_missing_from_the_body_do_not_vanish(clean: Any, hooks: Hooks) -> None:
    hooks.rewrite("ec2", "DescribeVpcs", empty)
    broken = verdicts(hooks)
    stand_in = [v for (cid, rid), v in broken.items() if cid == "DDB.015" and rid.startswith("*")]
    assert stand_in and stand_in[0][0] == "UNKNOWN"
    assert "Vpcs" in stand_in[0][1]


def raw_body(body: bytes) -> Callable[..., None]:
    def hook(response_dict: dict[str, Any], **_: Any) -> None:
        if response_dict.get("status_code", 200) < 300:
            response_dict["body"] = body

    return hook


@pytest.mark.parametrize(
    ("service", "operation", "body"),
    [
        ("dynamodb", "ListTables", b'{"TableNames": 5}'),
        ("dynamodb", "ListTables", b"[1, 2]"),
        ("dynamodb", "DescribeTable", b'{"Table": {"GlobalSecondaryIndexes": 7}}'),
        ("dynamodb", "DescribeTimeToLive", b"not json at all"),
        ("kms", "DescribeKey", b'{"KeyMetadata": []}'),
        ("ec2", "DescribeVpcs", b"<DescribeVpcsResponse><vpcSet><item>"),
        ("dax", "DescribeClusters", b'{"Clusters": [{"Nodes": 3}]}'),
    ],
)
def test_bodies_botocore_cannot_parse_are_unknown(
    clean: Any, hooks: Hooks, service: str, operation: str, body: bytes
) -> None:
    hooks.on(service, f"before-parse.*.{operation}", raw_body(body))
    broken = verdicts(hooks)
    changed = assert_honest(clean, broken)
    assert changed or any(s == "UNKNOWN" for s, _ in broken.values())


def test_unknown_reason_names_the_field(clean: Any, hooks: Hooks) -> None:
    hooks.rewrite("dynamodb", "DescribeTable", put("x", "Table", "SSEDescription"))
    inventory = collect(AwsOptions(), frozenset({"table.describe"}), run_id="t", recorder=hooks)
    table = {t.name: t for t in inventory.tables()}["alpha"]
    assert isinstance(table.encryption, Unknown)
    assert table.encryption.reason == (
        "dynamodb:DescribeTable failed: MalformedResponse: Table.SSEDescription: expected an "
        "object, got str 'x'"
    )
    assert not isinstance(table.deletion_protection, Unknown)  # only what the field feeds
