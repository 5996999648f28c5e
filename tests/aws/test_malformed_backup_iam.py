"""sources/aws/backup.py and iam.py on malformed responses: UNKNOWN naming the problem, never a
traceback and never a shorter list that looks complete (the issue-9 rule for these readers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dynaguard.model import Known, Origin, Unknown
from dynaguard.sources.aws import backup
from dynaguard.sources.aws.failures import FailureKind, ReadError


class FakeReader:
    """The RegionReader surface the collectors use, answering from canned responses."""

    account_id = "123456789012"
    region = "us-east-1"

    def __init__(self, responses: dict[str, Any]) -> None:
        self.responses = responses

    def origin(self, service: str, operation: str) -> Origin:
        return Origin(region=self.region, api=f"{service}:{operation}")

    def call(self, service: str, operation: str, **params: Any) -> Any:
        answer = self.responses[operation]
        if isinstance(answer, Exception):
            raise answer
        return answer(params) if callable(answer) else answer

    def pages(self, service: str, operation: str, **params: Any) -> list[Any]:
        return [self.call(service, operation, **params)]

    def fact(self, read: Callable[[], Any], service: str, operation: str) -> Any:
        try:
            return Known(read(), self.origin(service, operation))
        except ReadError as err:
            return err.unknown()


GOOD_SETTINGS = {
    "ResourceTypeOptInPreference": {"DynamoDB": True, "EBS": True},
    "ResourceTypeManagementPreference": {"DynamoDB": False},
}


def settings(response: Any) -> Any:
    return backup.collect_backup_settings(FakeReader({"DescribeRegionSettings": response}))


def test_region_settings_read() -> None:
    fact = settings(GOOD_SETTINGS)
    assert isinstance(fact, Known)
    assert (fact.value.opted_in, fact.value.advanced) == (True, False)
    only_opt_in = settings({"ResourceTypeOptInPreference": {"DynamoDB": False}})
    assert isinstance(only_opt_in, Known)
    assert (only_opt_in.value.opted_in, only_opt_in.value.advanced) == (False, None)


@pytest.mark.parametrize(
    ("response", "named"),
    [
        ({}, "ResourceTypeOptInPreference"),
        ({"ResourceTypeOptInPreference": ["DynamoDB"]}, "not an object"),
        ({"ResourceTypeOptInPreference": {"EBS": True}}, "no DynamoDB entry"),
        ({"ResourceTypeOptInPreference": {"DynamoDB": "yes"}}, "not a boolean"),
        (
            {
                "ResourceTypeOptInPreference": {"DynamoDB": True},
                "ResourceTypeManagementPreference": 3,
            },
            "ResourceTypeManagementPreference",
        ),
    ],
)
def test_malformed_region_settings_are_unknown(response: Any, named: str) -> None:
    fact = settings(response)
    assert isinstance(fact, Unknown)
    assert "malformed" in fact.reason and named in fact.reason
    assert fact.origin is not None and fact.origin.api == "backup:DescribeRegionSettings"


def test_denied_region_settings_are_unknown_with_the_error() -> None:
    denied = ReadError(
        "backup:DescribeRegionSettings",
        "us-east-1",
        "AccessDeniedException",
        "no",
        FailureKind.DENIED,
    )
    fact = settings(denied)
    assert isinstance(fact, Unknown) and "AccessDeniedException" in fact.reason


def selections(plans: Any, listed: Any, got: Any) -> Any:
    return backup.collect_backup_selections(
        FakeReader(
            {
                "ListBackupPlans": plans,
                "ListBackupSelections": listed,
                "GetBackupSelection": got,
            }
        )
    )


PLANS = {"BackupPlansList": [{"BackupPlanId": "p1", "BackupPlanName": "daily"}]}
LISTED = {"BackupSelectionsList": [{"SelectionId": "s1"}]}
SELECTION = {"SelectionName": "s", "IamRoleArn": "arn:aws:iam::1:role/r", "Resources": ["*"]}


def test_selections_read() -> None:
    fact = selections(PLANS, LISTED, {"BackupSelection": SELECTION})
    assert isinstance(fact, Known) and fact.value[0].resources == ("*",)


@pytest.mark.parametrize(
    ("plans", "listed", "got"),
    [
        (
            {"BackupPlansList": [{"BackupPlanName": "no id"}]},
            LISTED,
            {"BackupSelection": SELECTION},
        ),
        ({"BackupPlansList": ["p1"]}, LISTED, {"BackupSelection": SELECTION}),
        (PLANS, {"BackupSelectionsList": [{}]}, {"BackupSelection": SELECTION}),
        (PLANS, LISTED, {}),
        (PLANS, LISTED, {"BackupSelection": {**SELECTION, "Resources": "*"}}),
        (PLANS, LISTED, {"BackupSelection": {**SELECTION, "ListOfTags": [{"ConditionKey": "a"}]}}),
        (PLANS, LISTED, {"BackupSelection": {**SELECTION, "Conditions": {"StringEquals": 5}}}),
        (PLANS, LISTED, {"BackupSelection": {**SELECTION, "Conditions": ["x"]}}),
    ],
)
def test_malformed_selections_make_the_region_unknown(plans: Any, listed: Any, got: Any) -> None:
    fact = selections(plans, listed, got)
    assert isinstance(fact, Unknown)
    assert "malformed" in fact.reason


# --- IAM -------------------------------------------------------------------------------------

ROLE = "arn:aws:iam::123456789012:role/app"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def details(**overrides: Any) -> dict[str, Any]:
    page = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            {
                "RoleName": "app",
                "Arn": ROLE,
                "AttachedManagedPolicies": [
                    {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
                ],
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": ADMIN_DOC}],
            }
        ],
        "Policies": [],
    }
    page.update(overrides)
    return page


def iam_reader(page: Any, get_policy: Any = None, version: Any = None) -> FakeReader:
    return FakeReader(
        {
            "GetAccountAuthorizationDetails": page,
            "GetPolicy": get_policy or {"Policy": {"Arn": ADMIN, "DefaultVersionId": "v7"}},
            "GetPolicyVersion": version
            or (
                lambda params: {
                    "PolicyVersion": {"Document": ADMIN_DOC, "VersionId": params["VersionId"]}
                }
            ),
        }
    )


def test_attached_aws_managed_policy_is_read_once_with_its_holders() -> None:
    from dynaguard.sources.aws import iam

    fact = iam.collect_iam_policies(iam_reader(details()))
    assert isinstance(fact, Known)
    by_kind = {p.kind: p for p in fact.value}
    admin = by_kind["aws_managed"]
    assert (admin.name, admin.arn, admin.attached_to) == ("AdministratorAccess", ADMIN, (ROLE,))
    assert admin.document.statements[0]["Action"] == "*"
    assert by_kind["inline"].name == "role/app/inline"


def test_unreadable_aws_managed_policy_is_unknown_alone() -> None:
    from dynaguard.sources.aws import iam

    denied = ReadError("iam:GetPolicy", "us-east-1", "AccessDenied", "no", FailureKind.DENIED)
    fact = iam.collect_iam_policies(iam_reader(details(), get_policy=denied))
    assert isinstance(fact, Known)
    admin = next(p for p in fact.value if p.kind == "aws_managed")
    assert admin.document.parse_error and "AccessDenied" in admin.document.parse_error
    assert any(p.kind == "inline" for p in fact.value)
    odd = iam.collect_iam_policies(iam_reader(details(), get_policy={"Policy": "x"}))
    assert isinstance(odd, Known)
    assert "malformed" in (
        next(p for p in odd.value if p.kind == "aws_managed").document.parse_error or ""
    )


@pytest.mark.parametrize(
    "page",
    [
        details(RoleDetailList=[{"RoleName": "app"}]),  # no Arn
        details(RoleDetailList="app"),
        details(RoleDetailList=[{"RoleName": "a", "Arn": ROLE, "AttachedManagedPolicies": [{}]}]),
        details(
            RoleDetailList=[
                {"RoleName": "a", "Arn": ROLE, "RolePolicyList": [{"PolicyDocument": {}}]}
            ]
        ),
        details(Policies=[{"PolicyName": "no arn"}]),
        details(Policies=[{"Arn": "arn:aws:iam::1:policy/p", "PolicyVersionList": "v1"}]),
    ],
)
def test_malformed_authorization_details_are_unknown(page: Any) -> None:
    from dynaguard.sources.aws import iam

    fact = iam.collect_iam_policies(iam_reader(page))
    assert isinstance(fact, Unknown)
    assert "malformed" in fact.reason and "GetAccountAuthorizationDetails" in fact.reason
