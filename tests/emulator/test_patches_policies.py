"""DDB-6: resource policies on tables and streams answer like AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import make_table

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "dynamodb:GetRecords",
                "Resource": "*",
            }
        ],
    }
)


def _code(err):
    return err.value.response["Error"]["Code"]


def test_stream_without_policy_is_policy_not_found(aws):
    ddb = aws("dynamodb")
    stream_arn = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )["LatestStreamArn"]
    with pytest.raises(ClientError) as err:
        ddb.get_resource_policy(ResourceArn=stream_arn)
    assert _code(err) == "PolicyNotFoundException"


def test_stream_policy_round_trip_is_separate_from_the_table_policy(aws):
    ddb = aws("dynamodb")
    table = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )
    stream_arn, table_arn = table["LatestStreamArn"], table["TableArn"]
    revision = ddb.put_resource_policy(ResourceArn=stream_arn, Policy=POLICY)["RevisionId"]
    got = ddb.get_resource_policy(ResourceArn=stream_arn)
    assert json.loads(got["Policy"]) == json.loads(POLICY)
    assert got["RevisionId"] == revision
    with pytest.raises(ClientError) as err:
        ddb.get_resource_policy(ResourceArn=table_arn)
    assert _code(err) == "PolicyNotFoundException"
    ddb.delete_resource_policy(ResourceArn=stream_arn)
    with pytest.raises(ClientError) as err:
        ddb.delete_resource_policy(ResourceArn=stream_arn)
    assert _code(err) == "PolicyNotFoundException"


def test_unknown_table_or_stale_stream_is_resource_not_found(aws):
    ddb = aws("dynamodb")
    arn = make_table(ddb)["TableArn"]
    for missing in (arn.replace("table/t", "table/nope"), f"{arn}/stream/2000-01-01T00:00:00"):
        with pytest.raises(ClientError) as err:
            ddb.get_resource_policy(ResourceArn=missing)
        assert _code(err) == "ResourceNotFoundException"


def test_expected_revision_checks(aws):
    ddb = aws("dynamodb")
    arn = make_table(ddb)["TableArn"]
    first = ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY")
    with pytest.raises(ClientError) as err:
        ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY")
    assert _code(err) == "PolicyNotFoundException"
    with pytest.raises(ClientError) as err:
        ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId="123")
    assert _code(err) == "PolicyNotFoundException"
    ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=first["RevisionId"])


def test_aws_managed_policies_attach_and_read_without_loading_them_all(aws: Any) -> None:
    """IAM-1: an AWS managed policy exists on first use by ARN, with its real document."""
    iam = aws("iam")
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="admin", PolicyArn=arn)
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    statement = version["PolicyVersion"]["Document"]["Statement"][0]
    assert (statement["Action"], statement["Resource"]) == ("*", "*")
    attached = iam.list_attached_role_policies(RoleName="admin")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    missing = "arn:aws:iam::aws:policy/NoSuchPolicyAtAll"
    with pytest.raises(ClientError):
        iam.attach_role_policy(RoleName="admin", PolicyArn=missing)
    with pytest.raises(ClientError):  # the path is part of the ARN
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AdministratorAccess")
