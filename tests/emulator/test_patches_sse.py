"""DDB-1, DDB-2, KMS-1: table encryption and the AWS managed key behave like AWS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynaguard.emulator import apply_patches
from tests.emulator.conftest import make_key, make_table


def _sse(ddb, name="t"):
    return ddb.describe_table(TableName=name)["Table"].get("SSEDescription")


def test_apply_patches_is_idempotent(aws):
    from moto.dynamodb.responses import DynamoHandler

    before = DynamoHandler.update_table
    apply_patches()
    apply_patches()
    assert DynamoHandler.update_table is before


@pytest.mark.parametrize("ref", ["alias", "id", "alias-arn", "arn"])
def test_create_table_reports_the_key_arn_whatever_reference_was_given(aws, ref):
    kms, ddb = aws("kms"), aws("dynamodb")
    key = make_key(kms, "alias/orders")
    given = {
        "alias": "alias/orders",
        "id": key["KeyId"],
        "alias-arn": f"arn:aws:kms:us-east-1:{key['AWSAccountId']}:alias/orders",
        "arn": key["Arn"],
    }[ref]
    make_table(ddb, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": given})
    assert _sse(ddb) == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key["Arn"]}


def test_create_table_with_a_missing_key_is_refused_and_creates_nothing(aws):
    ddb = aws("dynamodb")
    with pytest.raises(ClientError) as err:
        make_table(
            ddb,
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/nope"},
        )
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert ddb.list_tables()["TableNames"] == []


def test_a_disabled_key_or_a_key_in_another_region_is_refused(aws):
    kms, ddb = aws("kms"), aws("dynamodb")
    disabled = make_key(kms)
    kms.disable_key(KeyId=disabled["KeyId"])
    elsewhere = make_key(aws("kms", "eu-west-1"))
    for key in (disabled["Arn"], elsewhere["Arn"]):
        with pytest.raises(ClientError) as err:
            make_table(
                ddb, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
            )
        assert err.value.response["Error"]["Code"] == "ValidationException"


def test_owned_key_by_default_and_when_disabled(aws):
    ddb = aws("dynamodb")
    make_table(ddb, "plain")
    make_table(ddb, "off", SSESpecification={"Enabled": False})
    assert _sse(ddb, "plain") is None
    assert _sse(ddb, "off") is None
    # Enabled=false must not create the AWS managed key as a side effect.
    assert aws("kms").list_keys()["Keys"] == []


def test_kms_without_key_id_uses_the_aws_managed_key_created_on_first_use(aws):
    kms, ddb = aws("kms"), aws("dynamodb")
    make_table(ddb, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    arn = _sse(ddb)["KMSMasterKeyArn"]
    managed = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert managed["Arn"] == arn
    assert managed["KeyManager"] == "AWS"
    assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"] is True
    # The second table reuses the same AWS managed key.
    make_table(ddb, "t2", SSESpecification={"Enabled": True})
    assert _sse(ddb, "t2")["KMSMasterKeyArn"] == arn


def test_describe_key_of_the_managed_alias_reports_aws_before_any_table(aws):
    kms = aws("kms")
    meta = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert make_key(kms)["KeyManager"] == "CUSTOMER"


def test_update_table_switches_between_owned_managed_and_customer_keys(aws):
    kms, ddb = aws("kms"), aws("dynamodb")
    cmk = make_key(kms, "alias/cmk")
    make_table(ddb)
    assert _sse(ddb) is None

    out = ddb.update_table(
        TableName="t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/cmk"},
    )
    expected = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": cmk["Arn"]}
    assert out["TableDescription"]["SSEDescription"] == expected
    assert _sse(ddb) == expected

    ddb.update_table(TableName="t", SSESpecification={"Enabled": True, "SSEType": "KMS"})
    managed = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
    assert _sse(ddb)["KMSMasterKeyArn"] == managed

    ddb.update_table(TableName="t", SSESpecification={"Enabled": False})
    assert _sse(ddb) is None


def test_update_table_with_a_missing_key_changes_nothing(aws):
    kms, ddb = aws("kms"), aws("dynamodb")
    cmk = make_key(kms)
    make_table(ddb, SSESpecification={"Enabled": True, "KMSMasterKeyId": cmk["Arn"]})
    with pytest.raises(ClientError) as err:
        ddb.update_table(
            TableName="t",
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/gone"},
            DeletionProtectionEnabled=True,
        )
    assert err.value.response["Error"]["Code"] == "ValidationException"
    table = ddb.describe_table(TableName="t")["Table"]
    assert table["SSEDescription"]["KMSMasterKeyArn"] == cmk["Arn"]
    assert table["DeletionProtectionEnabled"] is False


def test_update_table_without_sse_keeps_the_key(aws):
    kms, ddb = aws("kms"), aws("dynamodb")
    cmk = make_key(kms)
    make_table(ddb, SSESpecification={"Enabled": True, "KMSMasterKeyId": cmk["KeyId"]})
    ddb.update_table(TableName="t", DeletionProtectionEnabled=True)
    assert _sse(ddb)["KMSMasterKeyArn"] == cmk["Arn"]
