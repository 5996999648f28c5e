"""DDB.012: no identity policy grants DynamoDB wildcard access.

Judged by the policy evaluator (``model.policy_identity``): FAIL when the policy's Allow
statements reach every DynamoDB action on every table (``*``, ``dynamodb:*``, patterns that
together match every action, or a ``NotAction`` that leaves DynamoDB in; ``*``, a table ARN
wildcard or a ``NotResource``), after any unconditional Deny in the same policy. Conditions do
not excuse it. Customer managed, inline and AWS managed policies (``AdministratorAccess``,
``AmazonDynamoDBFullAccess``, ``PowerUserAccess``, ...) are judged alike; the finding names
every principal that carries the policy. A customer managed policy attached to no principal
FAILs at low severity: nothing holds it today, one attachment makes it live. A document that
cannot be interpreted is UNKNOWN, never PASS.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import IamPolicy, Severity, dynamodb_actions
from dynaguard.model.policy import Statement, parse_each
from dynaguard.model.policy_identity import malformed, wildcard_grant

KIND_NAMES = {"managed": "customer managed", "inline": "inline", "aws_managed": "AWS managed"}


def _describe(stmt: Statement) -> str:
    actions = ", ".join(stmt.actions)
    resources = ", ".join(stmt.resources)
    a = f"NotAction [{actions}]" if stmt.not_action else f"Action [{actions}]"
    r = f"NotResource [{resources}]" if stmt.not_resource else f"Resource [{resources}]"
    return f"{stmt.label} ({a} on {r})"


def _holders(policy: IamPolicy) -> str:
    if not policy.attached_to:
        return "attached to no principal yet (low severity until it is)"
    return "carried by " + ", ".join(policy.attached_to)


@control(
    id="DDB.012",
    title="No identity policy grants DynamoDB wildcard access",
    severity="high",
    subject=IamPolicy,
    facts={"account.iam"},
    rationale="dynamodb:* on every table lets a principal read, overwrite, export and delete "
    "every table and its backups; least privilege scopes actions and tables to the need.",
    remediation="Replace the statement with scoped actions and table ARNs, e.g. Action "
    "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query] on "
    "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE, then aws iam create-policy-version "
    "--policy-arn POLICY_ARN --policy-document file://scoped.json --set-as-default; for an AWS "
    "managed policy, detach it and attach a scoped customer managed one (no automatic fix)",
    frameworks={"AWS FSBP": "IAM.21 (partly)"},
)
def iam_policy_no_dynamodb_wildcard(policy: IamPolicy, ctx: Context) -> Verdict:
    kind = KIND_NAMES.get(policy.kind, policy.kind)
    grant = wildcard_grant(policy.document)
    if grant.found:
        # A definite grant is a FAIL whatever an unreadable statement elsewhere says.
        unattached = not policy.attached_to and policy.kind == "managed"
        return failed(
            f"{kind} policy {policy.name} grants {dynamodb_actions.describe(grant.actions)} "
            f"on every table in {'; '.join(_describe(s) for s in grant.statements)}; "
            f"{_holders(policy)}",
            policy.origin,
            Severity.LOW if unattached else None,
        )
    statements, _ = parse_each(policy.document)
    errors = [str(p) for p in grant.problems]
    errors += [f"{label} has no Resource element" for label in malformed(statements)]
    if errors:
        return unknown(
            f"policy {policy.name} cannot be fully interpreted: {'; '.join(errors)}",
            policy.origin,
        )
    return passed(f"{kind} policy {policy.name} grants no DynamoDB wildcard access", policy.origin)
