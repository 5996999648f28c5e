"""dynaguard's sessions build one client class per service and reuse it for every region and
account (client_classes.py); each client keeps its own region, credentials and event hooks,
and other botocore users in the process are left as they were."""

from __future__ import annotations

import boto3

from dynaguard.sources.aws.client_classes import share_client_classes
from dynaguard.sources.aws.member import MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession
from tests.aws.conftest import KEY_SCHEMA

MEMBER = "210987654321"
ROLE = f"arn:aws:iam::{MEMBER}:role/dynaguard-audit"


def test_clients_of_one_service_share_a_class_and_keep_their_own_settings(aws) -> None:
    session = AwsSession(AwsOptions(role_name="dynaguard-audit"), "run-1", CallRecorder())
    east = session.client("dynamodb", "us-east-1")
    west = session.client("dynamodb", "eu-west-1")
    member = MemberSession(session, MEMBER, ROLE)
    in_member = member.client("dynamodb", "eu-west-1")
    assert type(east) is type(west) is type(in_member)
    assert type(session.client("ec2", "us-east-1")) is not type(east)
    assert (east.meta.region_name, west.meta.region_name) == ("us-east-1", "eu-west-1")
    assert east.meta.events is not west.meta.events  # hooks stay per client

    in_member.create_table(TableName="member-only", BillingMode="PAY_PER_REQUEST", **KEY_SCHEMA)
    assert west.list_tables()["TableNames"] == []  # the caller's credentials, not the member's
    assert in_member.list_tables()["TableNames"] == ["member-only"]
    assert session.recorder is not None
    assert session.recorder.count("dynamodb:ListTables") == 2


def test_other_sessions_build_their_classes_as_botocore_does(aws) -> None:
    AwsSession(AwsOptions(), "run-1").client("dynamodb", "us-east-1")  # installs the wrapper
    plain = boto3.session.Session()
    first = plain.client("dynamodb", region_name="us-east-1")
    second = plain.client("dynamodb", region_name="us-east-1")
    assert type(first) is not type(second)
    shared = share_client_classes(boto3.session.Session())
    assert type(shared.client("dynamodb", region_name="us-east-1")) is type(
        shared.client("dynamodb", region_name="eu-west-1")
    )
    assert type(shared.client("dynamodb", region_name="us-east-1")) is not type(first)
