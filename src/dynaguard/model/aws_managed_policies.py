"""AWS managed policies that infrastructure code attaches by ARN, judged without AWS.

The documents are AWS's, not in the code: ``data/aws_managed_policies.json`` (made by
``scripts/aws_managed_policies.py`` from moto's copy of every AWS managed policy; source and
date inside) keeps the documents of the ones that grant DynamoDB wildcard access
(AdministratorAccess, AmazonDynamoDBFullAccess, PowerUserAccess, ...) and the names of all the
others. A live scan reads the documents from IAM instead (``sources/aws/iam.py``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from dynaguard.model.resources import PolicyDocument

_ARN = re.compile(r"^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):iam::aws:policy/(.+)$")


@cache
def _table() -> dict[str, Any]:
    text = resources.files("dynaguard.model").joinpath("data/aws_managed_policies.json")
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


def is_aws_managed_arn(value: str) -> bool:
    return _ARN.match(value) is not None


def source() -> str:
    return f"{_table()['source']}, table generated {_table()['generated']}"


def document_of(arn: str) -> PolicyDocument:
    """The policy's document as far as DDB.012 needs it: the real one for a policy that grants
    DynamoDB wildcard access, no statement for one known not to, and a parse error (UNKNOWN)
    for a name the table does not know (newer than the table, or mistyped)."""
    match = _ARN.match(arn)
    name = match.group(1) if match else arn
    table = _table()
    if name in table["wildcard"]:
        body = table["wildcard"][name]
        statements = body.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        return PolicyDocument(tuple(statements), raw=json.dumps(body))
    if name in set(table["names"]):
        return PolicyDocument(())
    return PolicyDocument(
        (),
        parse_error=f"{name} is not in dynaguard's table of AWS managed policies ({source()})",
    )
