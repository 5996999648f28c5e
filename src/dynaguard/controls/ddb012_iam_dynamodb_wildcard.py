"""DDB.012: no identity policy grants DynamoDB wildcard access.

An Allow statement FAILs when its actions cover every DynamoDB action (``*``, ``dynamodb:*``,
``*:*``, ``dyn*``..., or a ``NotAction`` that does not exclude all of ``dynamodb:*``) on every
table (``Resource: *``, a table ARN wildcard such as ``arn:aws:dynamodb:*:*:table/*``, or a
``NotResource`` that does not exclude all tables). Conditions do not excuse it: the grant is
still unscoped. A document that cannot be interpreted (a source's parse error, a malformed
statement, an unresolved IaC value) is UNKNOWN, never PASS.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import IamPolicy
from dynaguard.model.policy import (
    Statement,
    applies_to_all_tables,
    grants_all_actions_of,
    parse_each,
)


def grants_dynamodb_wildcard(stmt: Statement) -> bool:
    """An Allow statement granting every DynamoDB action on every table."""
    if not stmt.allows:
        return False
    return grants_all_actions_of(stmt, "dynamodb") and applies_to_all_tables(stmt)


def _describe(stmt: Statement) -> str:
    actions = ", ".join(stmt.actions)
    resources = ", ".join(stmt.resources)
    a = f"NotAction [{actions}]" if stmt.not_action else f"Action [{actions}]"
    r = f"NotResource [{resources}]" if stmt.not_resource else f"Resource [{resources}]"
    return f"{stmt.label} ({a} on {r})"


def _holders(policy: IamPolicy) -> str:
    if not policy.attached_to:
        return "attached to no principal yet"
    return "carried by " + ", ".join(policy.attached_to)


def _malformed(statements: list[Statement]) -> list[str]:
    """Allow statements granting all DynamoDB actions with no Resource element at all
    (invalid in an identity policy; typically a value a source could not resolve)."""
    return [
        s.label
        for s in statements
        if s.allows and not s.resources and grants_all_actions_of(s, "dynamodb")
    ]


@control(
    id="DDB.012",
    title="No identity policy grants DynamoDB wildcard access",
    severity="high",
    subject="iam_policy",
    facts={"account.iam"},
    rationale="dynamodb:* on every table lets a principal read, overwrite, export and delete "
    "every table and its backups; least privilege scopes actions and tables to the need.",
    remediation="Replace the statement with scoped actions and table ARNs, e.g. Action "
    "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query] on "
    "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE, then aws iam create-policy-version "
    "--policy-arn POLICY_ARN --policy-document file://scoped.json --set-as-default "
    "(no automatic fix)",
    frameworks={"AWS FSBP": "IAM.21 (partly)"},
)
def iam_policy_no_dynamodb_wildcard(policy: IamPolicy, ctx: Context) -> Verdict:
    statements, errors = parse_each(policy.document)
    offending = [s for s in statements if grants_dynamodb_wildcard(s)]
    if offending:
        # A definite grant is a FAIL whatever an unreadable statement elsewhere says.
        return failed(
            f"{policy.kind} policy {policy.name} grants every DynamoDB action on every table "
            f"in {'; '.join(_describe(s) for s in offending)}; {_holders(policy)}",
            policy.origin,
        )
    errors += [f"{label} has no Resource element" for label in _malformed(statements)]
    if errors:
        return unknown(
            f"policy {policy.name} cannot be fully interpreted: {'; '.join(errors)}",
            policy.origin,
        )
    return passed(f"policy {policy.name} grants no DynamoDB wildcard access", policy.origin)
