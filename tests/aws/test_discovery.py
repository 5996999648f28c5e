"""Which tables a scan finds: all, by prefix, by expression, by name, across pages and regions."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.emulator.patches import apply_patches
from dynaguard.errors import AuditError, UsageError
from dynaguard.model import Known, Unknown
from dynaguard.selection import Selection
from dynaguard.sources.aws import AwsOptions, CallRecorder, collect
from tests.aws.conftest import Hooks, create_table

NAMES = ("orders", "orders-archive", "payments", "sessions-eu")


def names(inventory: Any, region: str = "us-east-1") -> list[str]:
    scope = next(s for s in inventory.regions if s.region == region)
    return sorted(t.name for t in scope.table_list())


@pytest.fixture
def fleet(aws: Any) -> Any:
    ddb = aws("dynamodb")
    for name in NAMES:
        create_table(ddb, name)
    return aws


def scan(facts: set[str] | None = None, **fields: Any) -> Any:
    filters = {k: fields.pop(k) for k in ("prefix", "match", "tables") if k in fields}
    options = AwsOptions(selection=Selection.of(**filters), **fields)
    return collect(options, frozenset(facts or {"table.describe"}), run_id="t")


def test_all_tables_in_the_default_region(fleet: Any) -> None:
    inventory = scan()
    assert [s.region for s in inventory.regions] == ["us-east-1"]
    assert names(inventory) == sorted(NAMES)
    assert inventory.source == "aws"
    assert all(t.account_id == "123456789012" for t in inventory.tables())


def test_prefix(fleet: Any) -> None:
    assert names(scan(prefix="orders")) == ["orders", "orders-archive"]


def test_regex_is_searched_in_the_name(fleet: Any) -> None:
    assert names(scan(match=r"s-(archive|eu)$")) == ["orders-archive", "sessions-eu"]
    assert names(scan(match=r"^orders$")) == ["orders"]


def test_explicit_names_and_filters_combine(fleet: Any) -> None:
    assert names(scan(tables=("payments", "orders"))) == ["orders", "payments"]
    assert names(scan(tables=("orders-archive", "orders"), prefix="ord")) == [
        "orders",
        "orders-archive",
    ]
    with pytest.raises(UsageError, match=r"payments \(with prefix 'ord'\)"):
        scan(tables=("payments", "orders"), prefix="ord")  # a named table the prefix excludes


def test_an_explicit_name_found_nowhere_is_a_usage_error(fleet: Any) -> None:
    with pytest.raises(UsageError, match="ordres"):
        scan(tables=("orders", "ordres"))


def test_invalid_expression_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="invalid table name expression"):
        AwsOptions(selection=Selection(match="("))


def test_more_than_one_page_of_tables(aws: Any) -> None:
    ddb = aws("dynamodb")
    for i in range(150):
        create_table(ddb, f"t{i:03d}")
    recorder = CallRecorder()
    inventory = collect(AwsOptions(), frozenset({"table.tags"}), run_id="t", recorder=recorder)
    assert len(names(inventory)) == 150
    assert recorder.count("dynamodb:ListTables") == 2  # 100 a page
    assert recorder.count("dynamodb:ListTagsOfResource") == 150


def test_several_regions_each_with_its_own_tables(aws: Any) -> None:
    create_table(aws("dynamodb", "us-east-1"), "east")
    create_table(aws("dynamodb", "eu-west-1"), "west")
    inventory = scan(regions=("us-east-1", "eu-west-1"))
    assert names(inventory, "us-east-1") == ["east"]
    assert names(inventory, "eu-west-1") == ["west"]
    table = next(t for t in inventory.tables() if t.name == "west")
    assert table.region == "eu-west-1"
    assert table.arn == "arn:aws:dynamodb:eu-west-1:123456789012:table/west"


def test_all_regions_lists_the_enabled_regions(aws: Any) -> None:
    apply_patches()  # the emulator's account:ListRegions
    create_table(aws("dynamodb", "ap-south-1"), "mumbai")
    aws("account").enable_region(RegionName="me-south-1")  # an opt-in region, enabled
    recorder = CallRecorder()
    listed = aws("account").list_regions(
        RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"], MaxResults=50
    )["Regions"]
    expected = sorted(r["RegionName"] for r in listed)
    inventory = collect(
        AwsOptions(all_regions=True), frozenset({"table.describe"}), run_id="t", recorder=recorder
    )
    assert [s.region for s in inventory.regions] == expected
    assert "me-south-1" in expected and "af-south-1" not in expected  # not opted in
    assert not any(r.startswith(("us-gov-", "cn-")) for r in expected)  # one partition
    assert recorder.count("account:ListRegions") == 1
    assert recorder.count("ec2:DescribeRegions") == 0
    assert names(inventory, "ap-south-1") == ["mumbai"]


def test_all_regions_falls_back_to_ec2_when_list_regions_is_denied(aws: Any, hooks: Hooks) -> None:
    apply_patches()
    hooks.fail("account", "ListRegions", "AccessDeniedException", status=403)
    inventory = collect(
        AwsOptions(all_regions=True), frozenset({"table.describe"}), run_id="t", recorder=hooks
    )
    expected = sorted(
        r["RegionName"] for r in aws("ec2").describe_regions(AllRegions=False)["Regions"]
    )
    assert [s.region for s in inventory.regions] == expected
    assert hooks.count("ec2:DescribeRegions") == 1


def test_all_regions_fails_with_both_reasons_when_nothing_lists_regions(
    aws: Any, hooks: Hooks
) -> None:
    apply_patches()
    hooks.fail("account", "ListRegions", "AccessDeniedException", status=403)
    hooks.fail("ec2", "DescribeRegions", "UnauthorizedOperation", status=403)
    with pytest.raises(AuditError) as err:
        collect(
            AwsOptions(all_regions=True), frozenset({"table.describe"}), run_id="t", recorder=hooks
        )
    assert "account:ListRegions" in str(err.value) and "ec2:DescribeRegions" in str(err.value)


def test_no_region_anywhere_is_a_usage_error(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError, match="no AWS region"):
        scan()


def test_region_from_the_environment(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    create_table(aws("dynamodb", "eu-central-1"), "frankfurt")
    assert names(scan(), "eu-central-1") == ["frankfurt"]


def test_tables_not_listed_when_no_fact_needs_them(fleet: Any) -> None:
    recorder = CallRecorder()
    inventory = collect(AwsOptions(), frozenset({"region.vpcs"}), run_id="t", recorder=recorder)
    assert recorder.count("dynamodb:ListTables") == 0
    assert isinstance(inventory.regions[0].tables, Unknown)  # NOT_COLLECTED
    assert isinstance(inventory.regions[0].vpcs, Known)


def test_listed_tables_without_per_table_facts_still_appear(fleet: Any) -> None:
    recorder = CallRecorder()
    inventory = collect(AwsOptions(), frozenset({"region.scaling"}), run_id="t", recorder=recorder)
    assert names(inventory) == sorted(NAMES)
    assert recorder.count("dynamodb:DescribeTable") == 0
