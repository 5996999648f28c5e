"""Who outside the trusted accounts a resource-based policy lets in (DDB.006 and its fix).

Evaluated the way IAM evaluates a request from another account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
only an ``Allow`` grants; an explicit ``Deny`` that applies wins
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

The question is asked for a small set of *outsiders* (``outsiders.py``): principals of an
account that is not trusted (any such account, or one the policy names), in or out of an
organisation, calling directly or through a VPC endpoint that is not the account's own; AWS
service principals acting for an untrusted account (the confused deputy); users of a public
identity provider. For each outsider and Allow statement, the DynamoDB actions granted on the
table (or stream) are computed, then every Deny that surely applies to that outsider takes its
actions away. What is left is a ``Grant``: the statement, the principal, the actions and the
missing restriction, which the finding names. A Deny the outsider can avoid (its condition
rests on a key they control, like ``aws:SecureTransport``) takes nothing away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dynaguard.model import dynamodb_actions, wildcard
from dynaguard.model.outsiders import Outsider, Trust, outsiders_of
from dynaguard.model.policy import (
    ACCOUNT_ID,
    ParseProblem,
    Statement,
    parse_each,
    principal_account,
)
from dynaguard.model.policy_conditions import (
    Truth,
    evaluate_block,
    explain,
    t_not,
    t_or,
    undecided_entries,
)
from dynaguard.model.resources import PolicyDocument

Pairs = frozenset[tuple[str, str]]  # (action, resource ARN)
_INDEX_STANDIN = "<any index>"


@dataclass(frozen=True, slots=True)
class Grant:
    """An outsider that an Allow statement lets in, with what and why."""

    where: str  # "resource policy" | "stream policy"
    statement: Statement
    principal: str
    outsider: Outsider
    actions: frozenset[str]
    missing: str

    def reason(self) -> str:
        return (
            f"{self.where} {self.statement.label} allows {self.principal} "
            f"{dynamodb_actions.describe(self.actions)}: {self.missing}"
        )


@dataclass(frozen=True, slots=True)
class Exposure:
    """What one policy document lets outsiders do; ``undecided`` when it cannot be told."""

    grants: tuple[Grant, ...] = ()
    undecided: tuple[str, ...] = ()
    allow_statements: int = 0
    problems: tuple[ParseProblem, ...] = field(default_factory=tuple)

    @property
    def offending_statements(self) -> tuple[int, ...]:
        """Indexes of the Allow statements that admit an outsider (what the fix removes)."""
        return tuple(sorted({g.statement.index for g in self.grants}))


def resources_of(arn: str, statements: Iterable[Statement], *, table: bool) -> tuple[str, ...]:
    """The resource ARNs a policy on ``arn`` can affect: the table itself, an index of it that
    no statement names (a stand-in) and every index ARN some statement names; or the stream."""
    if not table:
        return (arn,)
    named = {
        r
        for s in statements
        for r in s.resources
        if r.startswith(f"{arn}/index/") and not wildcard.has_wildcard(r)
    }
    return (arn, f"{arn}/index/{_INDEX_STANDIN}", *sorted(named))


def _pairs(stmt: Statement, resources: tuple[str, ...]) -> Pairs:
    actions = dynamodb_actions.granted(stmt.actions, not_action=stmt.not_action)
    hit = [r for r in resources if any(wildcard.matches(p, r) for p in stmt.resources)]
    reached = [r for r in resources if r not in hit] if stmt.not_resource else hit
    return frozenset((a, r) for a in actions for r in reached)


def _principal_value(kind: str, value: str, who: Outsider) -> Truth:
    if value == "*":
        return Truth.TRUE
    if kind == "AWS":
        account = principal_account(value)
        if account is None:
            return Truth.UNDECIDED  # a unique id or a malformed ARN: its account is unknown
        return Truth.TRUE if who.kind == "principal" and who.account == account else Truth.FALSE
    if kind == "Service":
        hit = who.kind == "service" and who.service == value.lower()
        return Truth.TRUE if hit else Truth.FALSE
    if kind == "Federated":
        return Truth.TRUE if who.kind == "federated" and who.federated == value else Truth.FALSE
    return Truth.UNDECIDED  # CanonicalUser (no account to tell) or an unknown principal type


def principal_matches(stmt: Statement, who: Outsider) -> Truth:
    """Does the statement's Principal (or NotPrincipal) element name the outsider?"""
    hit = t_or(
        _principal_value(kind, value, who)
        for kind, values in stmt.principals.items()
        for value in values
    )
    return t_not(hit) if stmt.not_principal else hit


def _who(stmt: Statement, who: Outsider) -> str:
    if stmt.not_principal:
        return "everyone outside the NotPrincipal list"
    for kind, values in stmt.principals.items():
        for value in values:
            if value == "*":
                return "any principal (*)"
            if _principal_value(kind, value, who) is Truth.TRUE:
                if kind == "AWS" and ACCOUNT_ID.match(value):
                    return f"account {value}"
                titles = {"Service": "service principal ", "Federated": "identity provider "}
                return titles.get(kind, "") + value
    return who.describe()


def _missing(stmt: Statement, who: Outsider) -> str:
    held = [text for e in stmt.conditions if (text := explain(e, who.context)) is not None]
    if held:
        return "; ".join(held)
    if who.kind == "service":
        return (
            "no aws:SourceAccount or aws:SourceArn condition pins the service to a trusted "
            "account (confused deputy)"
        )
    return (
        "no condition pins the caller to a trusted account, organisation or VPC endpoint "
        "(aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceVpce)"
    )


@dataclass(slots=True)
class _Judge:
    where: str
    resources: tuple[str, ...]
    allows: list[Statement]
    denies: list[Statement]
    grants: dict[tuple[int, str], Grant] = field(default_factory=dict)
    undecided: dict[int, str] = field(default_factory=dict)

    def judge(self, who: Outsider) -> None:
        for stmt in self.allows:
            self._judge_allow(stmt, who)

    def _judge_allow(self, stmt: Statement, who: Outsider) -> None:
        if not stmt.principals and not stmt.not_principal:
            return  # reported once by ``exposure``
        holds = _allow_holds(
            principal_matches(stmt, who), evaluate_block(stmt.conditions, who.context)
        )
        if holds is Truth.FALSE:
            return
        left, doubtful = _after_denies(_pairs(stmt, self.resources), self.denies, who)
        if not left:
            return
        certain = left - doubtful
        if holds is Truth.TRUE and certain and who.doubt is None:
            key = (stmt.index, _who(stmt, who))
            if key not in self.grants:
                actions = frozenset(a for a, _ in certain)
                self.grants[key] = Grant(
                    self.where, stmt, key[1], who, actions, _missing(stmt, who)
                )
            return
        if stmt.index not in self.undecided:
            why = who.doubt or _undecided_why(stmt, who, self.denies)
            self.undecided[stmt.index] = (
                f"{self.where} {stmt.label} may admit {who.describe()}: {why}"
            )


def _undecided_why(stmt: Statement, who: Outsider, denies: list[Statement]) -> str:
    reasons = undecided_entries(stmt.conditions, who.context)
    if principal_matches(stmt, who) is Truth.UNDECIDED:
        reasons.append("a principal's account cannot be told (a unique id or canonical user)")
    for deny in denies:
        for text in undecided_entries(deny.conditions, who.context):
            reasons.append(f"Deny {deny.label}: {text}")
    return "; ".join(dict.fromkeys(reasons)) or "it cannot be evaluated offline"


def _allow_holds(principal: Truth, conditions: Truth) -> Truth:
    """An Allow admits the outsider when both hold; FREE is the outsider's to satisfy."""
    both = {principal, conditions}
    if Truth.FALSE in both:
        return Truth.FALSE
    return Truth.UNDECIDED if Truth.UNDECIDED in both else Truth.TRUE


def _deny_applies(stmt: Statement, who: Outsider) -> Truth:
    """A Deny takes access away only when it surely applies: FREE is the outsider's to avoid."""
    if not stmt.principals and not stmt.not_principal:
        return Truth.UNDECIDED
    both = {principal_matches(stmt, who), evaluate_block(stmt.conditions, who.context)}
    if Truth.FALSE in both or Truth.FREE in both:
        return Truth.FALSE
    return Truth.UNDECIDED if Truth.UNDECIDED in both else Truth.TRUE


def _after_denies(pairs: Pairs, denies: list[Statement], who: Outsider) -> tuple[Pairs, Pairs]:
    """(what no sure Deny takes away, the part of it an undecided Deny might take away)."""
    left, doubtful = pairs, frozenset[tuple[str, str]]()
    for deny in denies:
        applies = _deny_applies(deny, who)
        if applies is Truth.TRUE:
            left = left - deny_pairs(deny, pairs)
        elif applies is Truth.UNDECIDED:
            doubtful = doubtful | (left & deny_pairs(deny, pairs))
    return left, doubtful


def deny_pairs(deny: Statement, pairs: Pairs) -> Pairs:
    resources = tuple(sorted({r for _, r in pairs}))
    return _pairs(deny, resources) & pairs


def exposure(document: PolicyDocument, arn: str, trust: Trust, where: str) -> Exposure:
    """What ``document`` (the policy on ``arn``: a table, or with ``where`` "stream policy" a
    stream) lets outsiders do."""
    statements, problems = parse_each(document)
    allows = [s for s in statements if s.allows]
    denies = [s for s in statements if not s.allows]
    undecided = [f"{where}: {p}" for p in problems]
    undecided += [f"{where} {s.label} has no Principal element" for s in statements if _bare(s)]
    resources = resources_of(arn, statements, table=where != "stream policy")
    judge = _Judge(where, resources, allows, denies)
    candidates = outsiders_of(statements, trust)
    if isinstance(candidates, str):
        return Exposure((), (*undecided, f"{where}: {candidates}"), len(allows), tuple(problems))
    for who in candidates:
        judge.judge(who)
    grants = tuple(judge.grants.values())
    if grants and any(p.effect != "Allow" for p in problems):
        # An unreadable statement might be a Deny that takes these grants back.
        doubts = (*undecided, *judge.undecided.values(), *(g.reason() for g in grants))
        return Exposure((), doubts, len(allows), tuple(problems))
    undecided += judge.undecided.values()
    return Exposure(grants, tuple(undecided), len(allows), tuple(problems))


def _bare(stmt: Statement) -> bool:
    return not stmt.principals and not stmt.not_principal
