"""DDB.006: access through the table's (and its stream's) resource policy is restricted.

No resource policy => PASS: only identity policies of the table's own account can grant access.
An Allow statement FAILs when its principal is everyone (``*``, ``{"AWS": "*"}``, or an Allow
with ``NotPrincipal``) unless a condition pins the caller to trusted accounts or organisations
(``aws:PrincipalAccount``, ``aws:SourceAccount`` with trusted accounts, ``aws:PrincipalOrgID``
with a trusted org, ``aws:SourceVpce`` with concrete endpoint ids), or when it names an account
that is neither the table's own nor in ``trusted_accounts``. A pin to an untrusted value is
still a FAIL. Service principals (``{"Service": ...}``) are not accounts and are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dynaguard.config import Baseline
from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Fact, PolicyDocument, Table, Unknown
from dynaguard.model.policy import (
    Statement,
    condition_entries,
    parse_each,
    principal_account,
)

# Operators whose values, when all trusted, really restrict the caller. ``...IfExists`` and
# negated operators do not: the condition holds when the key is absent or differs.
_PINNING_OPERATORS = ("stringequals", "stringequalsignorecase", "stringlike")
_PINNING_KEYS = (
    "aws:PrincipalAccount",
    "aws:SourceAccount",
    "aws:PrincipalOrgID",
    "aws:SourceVpce",
)


@dataclass(slots=True)
class _Review:
    problems: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    allow_statements: int = 0


def trusted_accounts(table: Table, baseline: Baseline) -> set[str]:
    return {table.account_id, *baseline.trusted_accounts}


def _value_trusted(key: str, value: str, accounts: set[str], baseline: Baseline) -> bool:
    if "*" in value or "?" in value:
        return False
    if key in ("aws:principalaccount", "aws:sourceaccount"):
        return value in accounts
    if key == "aws:principalorgid":
        return value in baseline.trusted_org_ids
    return value.startswith("vpce-")  # aws:SourceVpce: a concrete endpoint id


def pinned_to_trusted(stmt: Statement, accounts: set[str], baseline: Baseline) -> bool:
    """Does some condition restrict the caller to trusted accounts, orgs or endpoints?

    Conditions are AND-ed, so one fully trusted pin suffices."""
    for key in _PINNING_KEYS:
        for operator, values in condition_entries(stmt, key):
            if (
                operator in _PINNING_OPERATORS
                and values
                and all(_value_trusted(key.lower(), v, accounts, baseline) for v in values)
            ):
                return True
    return False


def _pins(stmt: Statement) -> str:
    keys = [k for k in _PINNING_KEYS if condition_entries(stmt, k)]
    return f" (condition on {', '.join(keys)} names untrusted or wildcard values)" if keys else ""


def _review_statement(
    stmt: Statement, where: str, accounts: set[str], ctx: Context, out: _Review
) -> None:
    if not stmt.principals and not stmt.not_principal:
        out.undecided.append(f"{where} {stmt.label} has no Principal element")
        return
    everyone = stmt.not_principal or "*" in stmt.principals.get("AWS", ())
    if everyone:
        if not pinned_to_trusted(stmt, accounts, ctx.baseline):
            who = (
                "everyone but the NotPrincipal list" if stmt.not_principal else "any principal (*)"
            )
            out.problems.append(f"{where} {stmt.label} allows {who}{_pins(stmt)}")
        return
    for value in stmt.principals.get("AWS", ()):
        account = principal_account(value)
        if account is None:
            out.undecided.append(f"{where} {stmt.label}: cannot tell the account of {value!r}")
        elif account not in accounts:
            out.problems.append(f"{where} {stmt.label} allows untrusted account {account}")


def _review_document(
    doc: PolicyDocument, where: str, table: Table, ctx: Context, out: _Review
) -> None:
    statements, errors = parse_each(doc)
    out.undecided.extend(f"{where}: {e}" for e in errors)
    accounts = trusted_accounts(table, ctx.baseline)
    for stmt in statements:
        if stmt.allows:
            out.allow_statements += 1
            _review_statement(stmt, where, accounts, ctx, out)


def _policies(table: Table) -> list[tuple[str, Fact[PolicyDocument | None]]]:
    return [("resource policy", table.resource_policy), ("stream policy", table.stream_policy)]


@control(
    id="DDB.006",
    title="Table access restricted to trusted accounts and principals",
    severity="high",
    subject="table",
    facts={"table.resource_policy"},
    rationale="A resource policy can grant access to principals outside the account; a "
    "wildcard principal without an account or organisation condition opens the table (or its "
    "stream) to anyone with AWS credentials.",
    remediation="Remove the offending statements, or add a condition such as "
    '"StringEquals": {"aws:PrincipalOrgID": "o-XXXX"}: aws dynamodb put-resource-policy '
    "--resource-arn TABLE_ARN --policy file://policy.json --expected-revision-id REVISION "
    "(dynaguard harden only with explicit opt-in: a wrong policy can lock people out)",
    frameworks={"IAM Access Analyzer": "external access findings for DynamoDB"},
)
def table_access_restricted(table: Table, ctx: Context) -> Verdict:
    review = _Review()
    unread: list[str] = []
    for where, fact in _policies(table):
        if isinstance(fact, Unknown):
            unread.append(f"{where} unknown: {fact.reason}")
        elif fact.value is not None:
            _review_document(fact.value, where, table, ctx, review)
    evidence = table.resource_policy.origin
    if review.problems:
        # A grant found in a policy we could read is a FAIL whatever the unread one holds.
        return failed("; ".join(review.problems + unread), evidence)
    if unread or review.undecided:
        return unknown("; ".join(unread + review.undecided), evidence)
    if review.allow_statements == 0:
        return passed("no resource policy grants access: only this account's identity policies can")
    return passed(
        f"{review.allow_statements} Allow statement(s) in the resource policies grant access only "
        "to this account, trusted accounts, or callers pinned to them by condition",
        evidence,
    )
