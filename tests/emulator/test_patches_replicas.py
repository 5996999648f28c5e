"""DDB-3..5: global tables version 2019.11.21 through UpdateTable ReplicaUpdates."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import make_key, make_table

EU, WEST = "eu-west-1", "us-west-2"


def _create(ddb, region, **extra):
    spec = {"RegionName": region, **extra}
    return ddb.update_table(TableName="t", ReplicaUpdates=[{"Create": spec}])


def _code(err):
    return err.value.response["Error"]["Code"]


def test_replica_is_a_real_table_in_its_region_with_own_sse_and_pitr_off(aws):
    ddb, ddb_eu = aws("dynamodb"), aws("dynamodb", EU)
    eu_key = make_key(aws("kms", EU), "alias/eu-cmk")
    make_table(
        ddb,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "gk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        Tags=[{"Key": "owner", "Value": "me"}],
        DeletionProtectionEnabled=True,
    )
    ddb.update_continuous_backups(
        TableName="t", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    out = _create(ddb, EU, KMSMasterKeyId="alias/eu-cmk")["TableDescription"]
    assert out["GlobalTableVersion"] == "2019.11.21"
    assert out["Replicas"] == [
        {"RegionName": EU, "ReplicaStatus": "ACTIVE", "KMSMasterKeyId": eu_key["Arn"]}
    ]

    replica = ddb_eu.describe_table(TableName="t")["Table"]
    assert replica["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert [g["IndexName"] for g in replica["GlobalSecondaryIndexes"]] == ["by-gk"]
    assert replica["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert replica["SSEDescription"]["KMSMasterKeyArn"] == eu_key["Arn"]
    assert replica["DeletionProtectionEnabled"] is False
    assert replica["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    pitr = ddb_eu.describe_continuous_backups(TableName="t")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    assert ddb_eu.list_tags_of_resource(ResourceArn=replica["TableArn"])["Tags"] == []


def test_replicas_list_the_other_regions_in_every_member_region(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    assert "Replicas" not in ddb.describe_table(TableName="t")["Table"]
    _create(ddb, EU)
    _create(ddb, WEST)
    views = {
        region: aws("dynamodb", region).describe_table(TableName="t")["Table"]
        for region in ("us-east-1", EU, WEST)
    }
    for region, table in views.items():
        listed = [r["RegionName"] for r in table["Replicas"]]
        assert region not in listed  # AWS lists the other replicas, not the describing region
        assert sorted(listed) == sorted({"us-east-1", EU, WEST} - {region})
        assert all(r["ReplicaStatus"] == "ACTIVE" for r in table["Replicas"])
        assert table["GlobalTableVersion"] == "2019.11.21"


def test_replica_inherits_the_kind_of_key_when_none_is_given(aws):
    ddb = aws("dynamodb")
    make_table(ddb, SSESpecification={"Enabled": True})  # AWS managed key
    _create(ddb, EU)
    replica = aws("dynamodb", EU).describe_table(TableName="t")["Table"]
    managed_eu = aws("kms", EU).describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert replica["SSEDescription"]["KMSMasterKeyArn"] == managed_eu["Arn"]
    assert managed_eu["KeyManager"] == "AWS"
    # An AWS managed key is not reported as the replica's KMSMasterKeyId.
    assert "KMSMasterKeyId" not in ddb.describe_table(TableName="t")["Table"]["Replicas"][0]


def test_customer_key_source_requires_a_key_per_replica(aws):
    ddb = aws("dynamodb")
    cmk = make_key(aws("kms"))
    make_table(ddb, SSESpecification={"Enabled": True, "KMSMasterKeyId": cmk["Arn"]})
    with pytest.raises(ClientError) as err:
        _create(ddb, EU)
    assert _code(err) == "ValidationException"
    assert "KMSMasterKeyId must be specified for each replica" in str(err.value)
    assert aws("dynamodb", EU).list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as err:
        _create(ddb, EU, KMSMasterKeyId="alias/not-in-eu")
    assert _code(err) == "ValidationException"


def test_update_switches_a_replica_key_and_every_region_sees_it(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    _create(ddb, EU)
    eu_key = make_key(aws("kms", EU))
    ddb.update_table(
        TableName="t",
        ReplicaUpdates=[{"Update": {"RegionName": EU, "KMSMasterKeyId": eu_key["KeyId"]}}],
    )
    replica = aws("dynamodb", EU).describe_table(TableName="t")["Table"]
    assert replica["SSEDescription"]["KMSMasterKeyArn"] == eu_key["Arn"]
    assert (
        ddb.describe_table(TableName="t")["Table"]["Replicas"][0]["KMSMasterKeyId"] == eu_key["Arn"]
    )
    # An SSE change made in the replica's own region shows from the source region too.
    aws("dynamodb", EU).update_table(TableName="t", SSESpecification={"Enabled": False})
    assert "KMSMasterKeyId" not in ddb.describe_table(TableName="t")["Table"]["Replicas"][0]


def test_update_of_a_region_outside_the_group_is_refused(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    with pytest.raises(ClientError) as err:
        ddb.update_table(TableName="t", ReplicaUpdates=[{"Update": {"RegionName": EU}}])
    assert _code(err) == "ValidationException"


def test_delete_removes_the_replica_table_and_the_listing(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    _create(ddb, EU)
    _create(ddb, WEST)
    ddb.update_table(TableName="t", ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    assert aws("dynamodb", WEST).list_tables()["TableNames"] == []
    assert [r["RegionName"] for r in ddb.describe_table(TableName="t")["Table"]["Replicas"]] == [EU]
    ddb.update_table(TableName="t", ReplicaUpdates=[{"Delete": {"RegionName": EU}}])
    table = ddb.describe_table(TableName="t")["Table"]
    assert "Replicas" not in table
    assert "GlobalTableVersion" not in table


def test_delete_table_in_a_replica_region_leaves_the_group(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    _create(ddb, EU)
    _create(ddb, WEST)
    aws("dynamodb", WEST).delete_table(TableName="t")
    listed = [
        r["RegionName"]
        for r in aws("dynamodb", EU).describe_table(TableName="t")["Table"]["Replicas"]
    ]
    assert listed == ["us-east-1"]


def test_existing_replica_or_same_name_table_is_refused(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    make_table(aws("dynamodb", WEST))  # an unrelated table with the same name
    _create(ddb, EU)
    for region in (EU, WEST):
        with pytest.raises(ClientError) as err:
            _create(ddb, region)
        assert _code(err) == "ValidationException"


def test_provisioned_source_needs_write_autoscaling(aws):
    ddb, aas = aws("dynamodb"), aws("application-autoscaling")
    make_table(
        ddb,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    with pytest.raises(ClientError) as err:
        _create(ddb, EU)
    assert "Pay-Per-Request or AutoScaled" in str(err.value)
    aas.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId="table/t",
        ScalableDimension="dynamodb:table:WriteCapacityUnits",
        MinCapacity=5,
        MaxCapacity=50,
    )
    _create(ddb, EU, ProvisionedThroughputOverride={"ReadCapacityUnits": 7})
    replica = aws("dynamodb", EU).describe_table(TableName="t")["Table"]
    assert replica["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert replica["ProvisionedThroughput"]["WriteCapacityUnits"] == 5


def test_unknown_region_is_refused(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    with pytest.raises(ClientError) as err:
        _create(ddb, "xx-nowhere-9")
    assert _code(err) == "ValidationException"
