"""The DDB.006 fix removes exactly the Allow statements the evaluator finds open, after Denies."""

from __future__ import annotations

import json
from typing import Any

from dynaguard.config import Baseline
from dynaguard.model import Known, PolicyDocument
from dynaguard.remediation.base import Change, LiveState, Options, Skip
from dynaguard.remediation.fixes.table_access_policy import plan
from tests.controls.builders import ACCOUNT, OTHER_ACCOUNT, scope, table

ORG = "o-trusted1"
OPEN = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
OWN = {
    "Sid": "Own",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
    "Action": "dynamodb:GetItem",
    "Resource": "*",
}
OUTSIDE_ORG = {
    "Sid": "OnlyOrg",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "dynamodb:*",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
}
STRANGER = {**OWN, "Sid": "Stranger", "Principal": {"AWS": OTHER_ACCOUNT}}


def planned(*statements: dict[str, Any]) -> Any:
    raw = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    doc = PolicyDocument(tuple(statements), revision_id="r1", raw=raw)
    live = LiveState(scope(), None, Baseline(trusted_org_ids=(ORG,)), ())
    return plan(table(resource_policy=Known(doc)), live, Options())


def test_open_statement_removed_others_kept() -> None:
    change = planned(OPEN, OWN)
    assert isinstance(change, Change)
    assert change.previous["removed_statements"] == ["Open"]
    kept = json.loads(change.steps[0].params["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["Own"]
    assert change.steps[0].params["ExpectedRevisionId"] == "r1"


def test_allow_neutralised_by_a_deny_is_not_removed() -> None:
    assert isinstance(planned(OPEN, OUTSIDE_ORG), Skip)


def test_every_open_allow_goes_and_denies_stay() -> None:
    deny_put = {**OUTSIDE_ORG, "Sid": "NoPut", "Action": "dynamodb:PutItem"}
    change = planned(OPEN, STRANGER, deny_put)
    assert isinstance(change, Change)
    assert change.previous["removed_statements"] == ["Open", "Stranger"]
    kept = json.loads(change.steps[0].params["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["NoPut"]
