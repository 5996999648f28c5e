"""DDB-9: point-in-time restores honour the SSE and billing overrides, and need PITR."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

KEYS = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_restore_needs_pitr_on_the_source(aws):
    ddb = aws("dynamodb")
    ddb.create_table(TableName="src", **KEYS)
    with pytest.raises(ClientError) as err:
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="dst")
    assert err.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    assert "dst" not in ddb.list_tables()["TableNames"]


def test_restore_applies_the_sse_and_billing_overrides(aws):
    ddb, kms = aws("dynamodb"), aws("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    ddb.create_table(TableName="src", **KEYS)
    ddb.update_continuous_backups(
        TableName="src", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.put_item(TableName="src", Item={"pk": {"S": "a"}})
    ddb.restore_table_to_point_in_time(
        SourceTableName="src",
        TargetTableName="dst",
        UseLatestRestorableTime=True,
        BillingModeOverride="PROVISIONED",
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )
    restored = ddb.describe_table(TableName="dst")["Table"]
    assert restored["SSEDescription"]["KMSMasterKeyArn"] == key
    assert restored["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert ddb.scan(TableName="dst")["Count"] == 1
    ddb.restore_table_to_point_in_time(
        SourceTableName="src", TargetTableName="owned", SSESpecificationOverride={"Enabled": False}
    )
    assert "SSEDescription" not in ddb.describe_table(TableName="owned")["Table"]
