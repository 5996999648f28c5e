"""DDB-7 (UPDATING after UpdateTable, ResourceInUseException meanwhile) and DDB-8 (a disabled
stream can be replaced)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from dynaguard.emulator.patches_table_status import set_update_settle
from tests.emulator.conftest import make_key, make_table


@pytest.fixture
def settle() -> Iterator[None]:
    set_update_settle(2)
    yield
    set_update_settle(0)


def test_off_by_default(aws):
    ddb = aws("dynamodb")
    make_table(ddb)
    ddb.update_table(TableName="t", DeletionProtectionEnabled=True)
    ddb.update_table(TableName="t", DeletionProtectionEnabled=False)  # no ResourceInUse
    assert ddb.describe_table(TableName="t")["Table"]["TableStatus"] == "ACTIVE"


def test_updating_for_a_while_and_one_update_at_a_time(aws, settle):
    ddb = aws("dynamodb")
    make_table(ddb)
    key = make_key(aws("kms"))
    ddb.update_table(
        TableName="t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
    )
    with pytest.raises(ClientError, match="ResourceInUseException"):
        ddb.update_table(TableName="t", DeletionProtectionEnabled=True)
    statuses = [ddb.describe_table(TableName="t")["Table"] for _ in range(3)]
    assert [t["TableStatus"] for t in statuses] == ["UPDATING", "UPDATING", "ACTIVE"]
    assert statuses[0]["SSEDescription"]["Status"] == "UPDATING"
    assert statuses[2]["SSEDescription"]["Status"] == "ENABLED"
    ddb.update_table(TableName="t", DeletionProtectionEnabled=True)  # accepted once ACTIVE


def test_a_disabled_stream_can_be_replaced(aws):
    ddb = aws("dynamodb")
    make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    with pytest.raises(ClientError):
        ddb.update_table(
            TableName="t",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
    ddb.update_table(TableName="t", StreamSpecification={"StreamEnabled": False})
    ddb.update_table(
        TableName="t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )
    spec = ddb.describe_table(TableName="t")["Table"]["StreamSpecification"]
    assert spec["StreamViewType"] == "NEW_IMAGE"
