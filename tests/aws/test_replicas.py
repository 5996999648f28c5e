"""Global-table replicas: every one described in its own region, reused when already scanned."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.model import Encryption, KeyManager, Known, Pitr, Unknown
from dynaguard.sources.aws import AwsOptions, collect
from tests.aws.conftest import Hooks, create_table

MEMBERS = ("us-east-1", "eu-west-1", "ap-south-1", "sa-east-1")  # sa-east-1: no table there


def replicas_of(inventory: Any, region: str, name: str = "gt") -> dict[str, Any]:
    scope = next(s for s in inventory.regions if s.region == region)
    table = next(t for t in scope.table_list() if t.name == name)
    assert isinstance(table.replicas, Known), table.replicas
    return {r.region: r for r in table.replicas.value}


@pytest.fixture
def global_table(aws: Any, hooks: Hooks) -> dict[str, str]:
    """``gt`` in three regions (moto has no replicas: DescribeTable is given AWS's list)."""
    keys = {}
    for region in MEMBERS[:3]:
        keys[region] = aws("kms", region).create_key()["KeyMetadata"]["Arn"]
        sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": keys[region]}
        create_table(aws("dynamodb", region), "gt", SSESpecification=sse)
    aws("dynamodb", "ap-south-1").update_continuous_backups(
        TableName="gt", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    create_table(aws("dynamodb", "us-east-1"), "single")
    for region in MEMBERS:

        def add_replicas(parsed: dict[str, Any], region: str = region) -> None:
            if parsed["Table"]["TableName"] == "gt":
                parsed["Table"]["GlobalTableVersion"] = "2019.11.21"
                parsed["Table"]["Replicas"] = [
                    {"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in MEMBERS if r != region
                ]

        hooks.rewrite("dynamodb", "DescribeTable", add_replicas, region)
    return keys


FACTS = frozenset({"table.describe", "table.pitr", "replicas", "kms.keys"})


def test_every_replica_is_described_in_its_own_region(global_table: Any, hooks: Hooks) -> None:
    options = AwsOptions(regions=("us-east-1", "eu-west-1"))
    inventory = collect(options, FACTS, run_id="t", recorder=hooks)
    replicas = replicas_of(inventory, "us-east-1")
    assert set(replicas) == {"eu-west-1", "ap-south-1", "sa-east-1"}  # none dropped
    mumbai = replicas["ap-south-1"]
    assert mumbai.encryption == Known(
        Encryption(True, global_table["ap-south-1"], "ENABLED"), mumbai.encryption.origin
    )
    assert mumbai.encryption.origin.region == "ap-south-1"
    assert isinstance(mumbai.pitr, Known) and mumbai.pitr.value == Pitr(True, 35)
    assert mumbai.arn == "arn:aws:dynamodb:ap-south-1:123456789012:table/gt"
    assert isinstance(mumbai.status, Known) and mumbai.status.value == "ACTIVE"
    # a replica whose region has no such table is kept, with the AWS error as reason
    missing = replicas["sa-east-1"]
    assert isinstance(missing.encryption, Unknown) and isinstance(missing.pitr, Unknown)
    assert "ResourceNotFoundException" in missing.encryption.reason
    assert set(replicas_of(inventory, "eu-west-1")) == {"us-east-1", "ap-south-1", "sa-east-1"}


def test_scanned_regions_are_reused_and_each_replica_read_once(
    global_table: Any, hooks: Hooks
) -> None:
    options = AwsOptions(regions=("us-east-1", "eu-west-1"))
    inventory = collect(options, FACTS, run_id="t", recorder=hooks)
    # eu-west-1 is scanned: its replica is the collected table, no second describe
    assert hooks.count("dynamodb:DescribeTable", "eu-west-1") == 1
    assert hooks.count("dynamodb:DescribeContinuousBackups", "eu-west-1") == 1
    west_table = next(t for t in inventory.regions[1].table_list() if t.name == "gt")
    assert replicas_of(inventory, "us-east-1")["eu-west-1"].encryption == west_table.encryption
    # ap-south-1 is listed by both scanned members but described once
    assert hooks.count("dynamodb:DescribeTable", "ap-south-1") == 1
    assert hooks.count("dynamodb:DescribeContinuousBackups", "ap-south-1") == 1
    assert hooks.count("dynamodb:ListTables", "ap-south-1") == 0


def test_replica_keys_are_described_in_the_replica_region(global_table: Any, hooks: Hooks) -> None:
    options = AwsOptions(regions=("us-east-1",))
    inventory = collect(options, FACTS, run_id="t", recorder=hooks)
    keys = inventory.regions[0].kms_keys
    assert set(keys) == {global_table[r] for r in ("us-east-1", "eu-west-1", "ap-south-1")}
    mumbai_key = keys[global_table["ap-south-1"]]
    assert isinstance(mumbai_key, Known) and mumbai_key.value.manager is KeyManager.CUSTOMER
    assert mumbai_key.origin is not None and mumbai_key.origin.region == "ap-south-1"
    assert hooks.count("kms:DescribeKey", "ap-south-1") == 1
    assert hooks.count("kms:DescribeKey", "us-east-1") == 1


def test_replica_pitr_is_read_even_when_table_pitr_was_not_requested(
    global_table: Any, hooks: Hooks
) -> None:
    options = AwsOptions(regions=("us-east-1", "eu-west-1"))
    inventory = collect(options, frozenset({"replicas"}), run_id="t", recorder=hooks)
    west = replicas_of(inventory, "us-east-1")["eu-west-1"]
    assert isinstance(west.pitr, Known) and west.pitr.value == Pitr(False)
    assert hooks.count("dynamodb:DescribeTable", "eu-west-1") == 1  # encryption reused
    assert hooks.count("dynamodb:DescribeContinuousBackups", "eu-west-1") == 1


def test_a_table_without_replicas_has_an_empty_known_list(global_table: Any) -> None:
    inventory = collect(AwsOptions(), FACTS, run_id="t")
    single = next(t for t in inventory.tables() if t.name == "single")
    assert single.replicas == Known((), single.replicas.origin)


def test_replicas_of_a_table_that_could_not_be_described_are_unknown(
    global_table: Any, hooks: Hooks
) -> None:
    hooks.fail("dynamodb", "DescribeTable", "AccessDeniedException", "no describe", 400)
    inventory = collect(AwsOptions(), FACTS, run_id="t", recorder=hooks)
    table = next(t for t in inventory.tables() if t.name == "gt")
    assert isinstance(table.replicas, Unknown)
    assert "AccessDeniedException: no describe" in table.replicas.reason
