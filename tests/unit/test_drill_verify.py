"""Drill verification on its own: structure and encryption FAIL, a changed source is a WARN,
reads are paced, names are recognisable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dynaguard.drill import is_scratch_table, scratch_name
from dynaguard.drill.run import sse_override
from dynaguard.drill.verify import (
    FAIL,
    PASS,
    WARN,
    ReadLimiter,
    count_check,
    item_hash,
    sample_check,
    structure_checks,
)

KEY = "arn:aws:kms:us-east-1:123456789012:key/1111"


def desc(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "TableName": "src",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    }
    return {**base, **extra}


def statuses(source: dict[str, Any], restored: dict[str, Any]) -> dict[str, str]:
    return {c.name: c.status for c in structure_checks(source, restored)}


def test_structure_and_encryption_must_match() -> None:
    same = statuses(desc(), desc())
    assert set(same.values()) == {PASS}
    other_type = desc(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"}])
    assert statuses(desc(), other_type)["key schema"] == FAIL
    gsi = {
        "IndexName": "by-x",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    assert statuses(desc(GlobalSecondaryIndexes=[gsi]), desc())["global indexes"] == FAIL
    cmk = desc(SSEDescription={"SSEType": "KMS", "KMSMasterKeyArn": KEY, "Status": "ENABLED"})
    assert statuses(cmk, desc())["encryption"] == FAIL
    assert statuses(cmk, cmk)["encryption"] == PASS


def test_the_restore_asks_for_the_sources_own_encryption() -> None:
    assert sse_override(desc()) == {"Enabled": False}
    cmk = desc(SSEDescription={"SSEType": "KMS", "KMSMasterKeyArn": KEY})
    assert sse_override(cmk) == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY}


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for name in ("src", "copy"):
            client.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                **{k: v for k, v in desc().items() if k != "TableName"},
            )
            for i in range(5):
                item = {"pk": {"S": f"k{i}"}, "b": {"B": b"\x00\x01"}, "ss": {"SS": ["b", "a"]}}
                client.put_item(TableName=name, Item=item)
        yield client


def test_a_source_changed_since_the_restore_point_is_a_warning(tables: Any) -> None:
    limiter = ReadLimiter(1000)
    source = tables.describe_table(TableName="src")["Table"]
    assert sample_check(tables, source, "copy", 10, limiter).status == PASS
    assert count_check(tables, "src", "copy", limiter).status == PASS
    tables.put_item(TableName="src", Item={"pk": {"S": "k0"}, "n": {"N": "1"}})
    tables.delete_item(TableName="src", Key={"pk": {"S": "k1"}})
    check = sample_check(tables, source, "copy", 10, limiter)
    assert check.status == WARN
    assert "3 of 5 sampled items identical; 1 differ, 1 gone" in check.detail
    counted = count_check(tables, "src", "copy", limiter)
    assert counted.status == WARN and "5 restored, 4 in the source now" in counted.detail


def test_reads_are_paced_to_the_configured_rate() -> None:
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = ReadLimiter(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.spend(10)  # 50 units at 10 per second: 5 seconds in all
    assert now[0] == pytest.approx(5.0)


def test_item_hash_is_stable_across_set_order_and_binary_values() -> None:
    a = {"pk": {"S": "x"}, "ss": {"SS": ["b", "a"]}, "b": {"B": b"\x00"}}
    b = {"b": {"B": b"\x00"}, "ss": {"SS": ["a", "b"]}, "pk": {"S": "x"}}
    assert item_hash(a) == item_hash(b)
    assert item_hash(a) != item_hash({**a, "pk": {"S": "y"}})


def test_scratch_names_are_generated_valid_and_recognisable() -> None:
    name = scratch_name("orders", dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC))
    assert name.startswith("dynaguard-drill-orders-20260131T120000Z-")
    assert is_scratch_table(name) and not is_scratch_table("orders")
    long = scratch_name("t" * 255)
    assert len(long) == 255 and is_scratch_table(long)
