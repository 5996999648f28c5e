"""Fuzz the AWS readers that decide who and what a scan covers, on AWS-shaped bodies, mutated.

The caller's identity (sts:GetCallerIdentity), assumed roles (sts:AssumeRole, for the caller's
``--role-arn`` and for a member account), the enabled regions (account:ListRegions, then
ec2:DescribeRegions), the organization's accounts (ListAccounts, or ListAccountsForParent and
ListOrganizationalUnitsForParent under ``--ou``) and the region's alarms (cloudwatch:
DescribeAlarms) each read canned answers shaped as the AWS API references document them,
through the product's own entry points, with fake clients and no network. Properties:

- any mutation: a value, or the reader's one-line error (AuditError, UsageError; an alarms
  read: a Fact), never another exception;
- a value retyped or a field deleted: the clean answer, or an error naming the malformed
  response; never a shorter account or region list, never an alarm that covers a table the
  clean answer did not cover.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from dynaguard.errors import AuditError, UsageError
from dynaguard.model import CloudWatchAlarms, Known
from dynaguard.sources.aws import session as session_module
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.cloudwatch import collect_alarms
from dynaguard.sources.aws.member import MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org import list_org_accounts
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.regions import ENABLED, enabled_regions
from dynaguard.sources.aws.session import AwsSession
from tests.fuzz.mutations import Key, Mode, broken, key_of, single_breaks
from tests.fuzz.strategies import FUZZ

# 7 readers x 3 modes: a third of the suite's examples each keeps the whole under a minute
FEW = settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 1))

REGION = "us-east-1"
CALLER = "123456789012"
MEMBER = "210987654321"
ROLE = f"arn:aws:iam::{MEMBER}:role/dynaguard-audit"
TOPIC = f"arn:aws:sns:{REGION}:{CALLER}:ops"


def _account(account_id: str, name: str, state: str) -> dict[str, Any]:
    # https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::{CALLER}:account/o-example/{account_id}",
        "Email": f"{name}@example.com",
        "Name": name,
        "Status": state,
        "State": state,
    }


def _regions(*names: str) -> list[dict[str, Any]]:
    return [{"RegionName": n, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for n in names]


def _alarm(name: str, **fields: Any) -> dict[str, Any]:
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
    return {"AlarmName": name, "ActionsEnabled": True, "AlarmActions": [TOPIC], **fields}


def _metric(table: str, metric: str, namespace: str = "AWS/DynamoDB") -> dict[str, Any]:
    dimensions = [{"Name": "TableName", "Value": table}]
    return {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions}


ANSWERS: dict[Key, Any] = {
    key_of("sts", "GetCallerIdentity", {}): {
        "UserId": "AIDAEXAMPLE",
        "Account": CALLER,
        "Arn": f"arn:aws:iam::{CALLER}:user/audit",
    },
    key_of("sts", "AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "dynaguard-fuzz"}): {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:dynaguard-fuzz", "Arn": ROLE},
    },
    key_of("account", "ListRegions", {"RegionOptStatusContains": ENABLED}): [
        {"Regions": _regions("eu-west-1", "us-east-1"), "NextToken": "p2"},
        {"Regions": [{"RegionName": "me-south-1", "RegionOptStatus": "ENABLED"}]},
    ],
    key_of("ec2", "DescribeRegions", {"AllRegions": False}): {
        "Regions": _regions("eu-west-1", "me-south-1", "us-east-1")
    },
    key_of("organizations", "ListAccounts", {}): [
        {"Accounts": [_account(CALLER, "audit", "ACTIVE")], "NextToken": "p2"},
        {
            "Accounts": [
                _account(MEMBER, "prod", "ACTIVE"),
                _account("333344445555", "x", "SUSPENDED"),
            ]
        },
    ],
    key_of("organizations", "ListAccountsForParent", {"ParentId": "r-root"}): [
        {"Accounts": [_account(CALLER, "audit", "ACTIVE")]}
    ],
    key_of("organizations", "ListOrganizationalUnitsForParent", {"ParentId": "r-root"}): [
        {"OrganizationalUnits": [{"Id": "ou-root-prod", "Name": "prod"}]}
    ],
    key_of("organizations", "ListAccountsForParent", {"ParentId": "ou-root-prod"}): [
        {"Accounts": [_account(MEMBER, "prod", "ACTIVE")]}
    ],
    key_of("organizations", "ListOrganizationalUnitsForParent", {"ParentId": "ou-root-prod"}): [
        {"OrganizationalUnits": []}
    ],
    key_of("cloudwatch", "DescribeAlarms", {"AlarmTypes": ["MetricAlarm"]}): [
        {
            "MetricAlarms": [
                _alarm("reads", **_metric("orders", "ReadThrottleEvents")),
                _alarm("cpu", **_metric("i-1", "CPUUtilization", "AWS/EC2")),
                _alarm("muted", **_metric("orders", "SystemErrors"), ActionsEnabled=False),
            ],
            "NextToken": "p2",
        },
        {
            "MetricAlarms": [
                _alarm(
                    "writes",
                    Metrics=[
                        {
                            "Id": "w",
                            "MetricStat": {"Metric": _metric("orders", "WriteThrottleEvents")},
                        },
                        {"Id": "e", "Expression": "w * 2"},
                    ],
                )
            ]
        },
    ],
}
OPERATIONS = {xform_name(op): op for _, op, _ in ANSWERS}


class FakeClient:
    """A boto3 client of ``service`` answering from ``answers`` (a call AWS was not asked in
    the clean run is denied, as a narrower role would be)."""

    def __init__(self, service: str, answers: Mapping[Key, Any]) -> None:
        self.service = service
        self.answers = answers

    def answer(self, operation: str, params: Mapping[str, Any]) -> Any:
        found = self.answers.get(key_of(self.service, operation, params))
        if found is None:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, operation)
        return copy.deepcopy(found)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        operation = OPERATIONS[name]
        return lambda **params: self.answer(operation, params)

    def get_paginator(self, name: str) -> Any:
        client, operation = self, OPERATIONS[name]

        class Paginator:
            def paginate(self, **params: Any) -> Iterator[Any]:
                return iter(client.answer(operation, params))

        return Paginator()


@functools.cache
def _base() -> boto3.Session:
    """One boto3 session for every example (its endpoint data is loaded once)."""
    return boto3.Session(region_name=REGION)


class Canned(AwsSession):
    """An AwsSession whose clients are FakeClients."""

    def __init__(self, answers: Mapping[Key, Any], role_arn: str | None = None) -> None:
        self.answers = answers
        with mock.patch.object(session_module, "_base_session", lambda options: _base()):
            super().__init__(AwsOptions(regions=(REGION,), role_arn=role_arn), "fuzz")

    def client(self, service: str, region: str) -> Any:
        return FakeClient(service, self.answers)


def _caller_role(answers: Mapping[Key, Any]) -> Any:
    return tuple(Canned(answers, ROLE)._boto.get_credentials().get_frozen_credentials())


def _covered(alarms: CloudWatchAlarms) -> set[tuple[str, str]]:
    """(table, metric) pairs that a notifying alarm watches."""
    return {
        pair
        for alarm in alarms.alarms
        if alarm.notifies()
        for pair in (m.table_metric() for m in alarm.metrics)
        if pair is not None
    }


def _alarms(answers: Mapping[Key, Any]) -> Any:
    fact = collect_alarms(RegionReader(Canned(answers), BreakerBoard(), CALLER, REGION))
    if not isinstance(fact, Known):
        raise AuditError(fact.reason or "unknown")  # an Unknown is the alarms read's error
    return _covered(fact.value)


# reader -> (what it reads, its result as compared, the services it calls)
READERS: dict[str, tuple[Callable[[Mapping[Key, Any]], Any], tuple[str, ...]]] = {
    "identity": (lambda a: Canned(a).account_id(), ("GetCallerIdentity",)),
    "caller role": (_caller_role, ("AssumeRole",)),
    "member role": (lambda a: MemberSession(Canned(a), MEMBER, ROLE)._credentials, ("AssumeRole",)),
    "regions": (lambda a: enabled_regions(Canned(a)), ("ListRegions", "DescribeRegions")),
    "accounts": (
        lambda a: [i for i, _ in list_org_accounts(Canned(a))],
        ("ListAccounts",),
    ),
    "accounts under an OU": (
        lambda a: [i for i, _ in list_org_accounts(Canned(a), ("r-root",))],
        ("ListAccountsForParent", "ListOrganizationalUnitsForParent"),
    ),
    "alarms": (_alarms, ("DescribeAlarms",)),
}


def _outcome(reader: str, answers: Mapping[Key, Any]) -> tuple[Any, str | None]:
    """(value, None) or (None, the one-line error)."""
    try:
        return READERS[reader][0](answers), None
    except (AuditError, UsageError) as err:
        return None, str(err)


def _answers_of(reader: str) -> dict[Key, Any]:
    return {k: v for k, v in ANSWERS.items() if k[1] in READERS[reader][1]}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_the_clean_answers_read_as_aws_means_them(reader: str) -> None:
    value, error = _outcome(reader, _answers_of(reader))
    assert error is None
    expected = {
        "identity": CALLER,
        "regions": ("eu-west-1", "me-south-1", "us-east-1"),
        "accounts": [CALLER, MEMBER],
        "accounts under an OU": [CALLER, MEMBER],
        "alarms": {("orders", "ReadThrottleEvents"), ("orders", "WriteThrottleEvents")},
    }
    if reader in expected:
        assert value == expected[reader]
    else:  # the role's credentials
        assert "ASIAEXAMPLE" in repr(value) and "token" in repr(value)


def _check(reader: str, mode: Mode, clean: Any, value: Any, error: str | None) -> None:
    if error is not None:
        assert "\n" not in error and error.strip(), error
        if mode != "any":  # the only thing wrong is the body's shape
            assert "MalformedResponse" in error, error
    elif mode == "retyped":
        assert value == clean
    elif mode == "deleted":
        # a field AWS may leave out: the same accounts, regions, identity; for alarms, no
        # table gains a notifying alarm (fewer is a FAIL, never a silent PASS)
        assert value <= clean if reader == "alarms" else value == clean


@pytest.mark.parametrize("reader", sorted(READERS))
def test_each_value_deleted_or_retyped_alone(reader: str) -> None:
    recorded = _answers_of(reader)
    clean, _ = _outcome(reader, recorded)
    for what, answers in single_breaks(recorded):
        value, error = _outcome(reader, answers)
        mode: Mode = "deleted" if " deleted " in what else "retyped"
        try:
            _check(reader, mode, clean, value, error)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None


@FEW
@given(data=st.data())
@pytest.mark.parametrize("mode", ["any", "retyped", "deleted"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_broken_answer_is_the_clean_value_or_one_error_line(
    reader: str, mode: Mode, data: st.DataObject
) -> None:
    recorded = _answers_of(reader)
    clean, _ = _outcome(reader, recorded)
    value, error = _outcome(reader, data.draw(broken(recorded, mode)))
    _check(reader, mode, clean, value, error)
