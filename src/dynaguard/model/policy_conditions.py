"""Condition operators and keys for the policy evaluator, judged for a symbolic caller.

DDB.006 asks "can someone outside the trusted accounts get in?", so a condition is evaluated
for an *outsider* whose identity keys are known up to what matters (their account is not a
trusted one, they may be outside any organisation, ...) and whose other request keys
(``aws:SecureTransport``, ``aws:SourceIp``, ``aws:CurrentTime``, ...) are the outsider's to
choose. The result is four-valued:

- ``TRUE`` / ``FALSE``: the condition holds / fails for this outsider whatever they do;
- ``FREE``: the outsider decides (a key they control, or a pattern some outsiders match): an
  Allow with such a condition is open to them, a Deny with it can be avoided;
- ``UNDECIDED``: it depends on something we cannot know offline (a unique principal id whose
  account is unknown, an operator AWS does not have): the verdict is UNKNOWN, never PASS.

IAM rules implemented here
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
operators and keys ignore case, values do not (except ``...IgnoreCase``); several operators or
keys are AND-ed, several values of one key are OR-ed; a key absent from the request makes a
positive operator false and a negated one (``StringNotEquals``, ``ArnNotLike``, ...) true;
``...IfExists`` is true when the key is absent; ``Null`` tests presence; ``ForAllValues`` is true
and ``ForAnyValue`` false on an absent key
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
``ArnEquals`` and ``ArnLike`` both take wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from dynaguard.model import wildcard
from dynaguard.model.policy import ConditionEntry


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    FREE = "free"
    UNDECIDED = "undecided"


def t_not(value: Truth) -> Truth:
    return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(value, value)


def t_or(values: Iterable[Truth]) -> Truth:
    seen = set(values)
    if Truth.TRUE in seen:
        return Truth.TRUE
    if Truth.UNDECIDED in seen:
        return Truth.UNDECIDED
    return Truth.FREE if Truth.FREE in seen else Truth.FALSE


def t_and(values: Iterable[Truth]) -> Truth:
    seen = set(values)
    if Truth.FALSE in seen:
        return Truth.FALSE
    if Truth.UNDECIDED in seen:
        return Truth.UNDECIDED
    return Truth.FREE if Truth.FREE in seen else Truth.TRUE


# --- the outsider's request context ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Absent:
    """The key is not in the request context."""


@dataclass(frozen=True, slots=True)
class Lit:
    """A concrete value (an untrusted account or organisation the policy itself names)."""

    value: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Stranger:
    """A value of ``kind`` that the policy names nowhere (any other account, org, endpoint).

    ``standin`` is a concrete value of that shape chosen to collide with no literal, used where
    a prefix must be simulated (an ARN in that account)."""

    kind: str
    standin: str


Anchor = Lit | Stranger


@dataclass(frozen=True, slots=True)
class Prefixed:
    """A value the outsider controls after a fixed prefix: their principal's ARN
    (``arn:aws:iam::ACCOUNT:`` + a role or user they name) or their org path (``o-x/`` + ...)."""

    anchor: Anchor
    prefix: str


@dataclass(frozen=True, slots=True)
class SourceArn:
    """``aws:SourceArn``: some resource (any service, any region) in the anchor's account."""

    account: Anchor


@dataclass(frozen=True, slots=True)
class UserId:
    """``aws:userid``: the account id for the root user, else a unique id the outsider got from
    IAM (``AIDA...``, ``AROA...:session``)."""

    account: Anchor


ABSENT = Absent()
Value = Absent | Lit | Stranger | Prefixed | SourceArn | UserId
# A request context: lower-cased key -> value. A key not in it is the outsider's to choose.
Context = Mapping[str, Value]

_OPERATOR = re.compile(r"^(?:(forallvalues|foranyvalue):)?([a-z]+?)(ifexists)?$")
# base operator -> (family, negated, ignore_case)
_BASES: dict[str, tuple[str, bool, bool]] = {
    "stringequals": ("equals", False, False),
    "stringnotequals": ("equals", True, False),
    "stringequalsignorecase": ("equals", False, True),
    "stringnotequalsignorecase": ("equals", True, True),
    "stringlike": ("like", False, False),
    "stringnotlike": ("like", True, False),
    "arnequals": ("like", False, False),
    "arnlike": ("like", False, False),
    "arnnotequals": ("like", True, False),
    "arnnotlike": ("like", True, False),
    "bool": ("equals", False, True),
}
# Operators that exist but compare numbers, dates, addresses or bytes: they never pin an
# identity key, and on a key we model the answer is not ours to guess.
_OPAQUE = re.compile(r"^(numeric|date)[a-z]*$|^(not)?ipaddress$|^binaryequals$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{3}[A-Z0-9]{4,}")


@dataclass(frozen=True, slots=True)
class Operator:
    set_operator: str | None  # forallvalues | foranyvalue
    base: str
    if_exists: bool


def parse_operator(text: str) -> Operator | None:
    """``ForAnyValue:StringEqualsIfExists`` -> its parts; None for an operator IAM lacks."""
    m = _OPERATOR.match(text.lower())
    if m is None:
        return None
    base = m.group(2)
    if base not in _BASES and base != "null" and not _OPAQUE.match(base):
        return None
    return Operator(m.group(1), base, bool(m.group(3)))


# --- matching one value ---------------------------------------------------------------------


def _like(pattern: str, value: Lit | Stranger) -> Truth:
    if isinstance(value, Lit):
        return Truth.TRUE if wildcard.matches(pattern, value.value) else Truth.FALSE
    if pattern and pattern.strip("*") == "":
        return Truth.TRUE
    return Truth.FREE if wildcard.has_wildcard(pattern) else Truth.FALSE


def _equals(pattern: str, value: Lit | Stranger, ignore_case: bool) -> Truth:
    if isinstance(value, Stranger):
        return Truth.FALSE  # a stranger's value is none of the values the policy names
    same = pattern.lower() == value.value.lower() if ignore_case else pattern == value.value
    return Truth.TRUE if same else Truth.FALSE


def _prefixed(pattern: str, value: Prefixed, family: str) -> Truth:
    """The outsider picks the part after the prefix: they can match or miss ``pattern``."""
    if family == "equals":
        return Truth.FREE if pattern.startswith(value.prefix) else Truth.FALSE
    if wildcard.covers_prefix(pattern, value.prefix):
        return Truth.TRUE
    return Truth.FREE if wildcard.extends_prefix(pattern, value.prefix) else Truth.FALSE


def _source_arn(pattern: str, value: SourceArn, family: str) -> Truth:
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return _like(pattern, Stranger("arn", "arn")) if family == "like" else Truth.FALSE
    account = parts[4]
    if account == "":
        return Truth.UNDECIDED  # e.g. an S3 bucket ARN: its owner cannot be told offline
    anchor = value.account
    if family == "equals":
        hit = isinstance(anchor, Lit) and account == anchor.value
        return Truth.FREE if hit else Truth.FALSE
    hit_account = _like(account, anchor)
    if hit_account is Truth.FALSE:
        return Truth.FALSE
    rest = parts[:4] + parts[5:]
    if hit_account is Truth.TRUE and all(p and p.strip("*") == "" for p in rest[1:]):
        return Truth.TRUE
    return Truth.FREE


def _user_id(pattern: str, value: UserId) -> Truth:
    anchor = value.account
    if re.fullmatch(r"\d{12}", pattern):
        # The root user's userid is its account id.
        return Truth.FREE if isinstance(anchor, Lit) and anchor.value == pattern else Truth.FALSE
    if pattern and pattern.strip("*") == "":
        return Truth.TRUE
    if _UNIQUE_ID.match(pattern) or not wildcard.has_wildcard(pattern):
        return Truth.UNDECIDED  # a specific principal's unique id: whose, we cannot tell
    return Truth.FREE


def match_value(pattern: str, value: Value, family: str, ignore_case: bool) -> Truth:
    """Does the outsider's ``value`` match one condition value?"""
    if isinstance(value, Prefixed):
        return _prefixed(pattern, value, family)
    if isinstance(value, SourceArn):
        return _source_arn(pattern, value, family)
    if isinstance(value, UserId):
        return _user_id(pattern, value)
    assert isinstance(value, Lit | Stranger)
    if family == "like":
        return _like(pattern, value)
    return _equals(pattern, value, ignore_case)


# --- one condition entry, a whole block ------------------------------------------------------


def evaluate_entry(entry: ConditionEntry, context: Context) -> Truth:
    """One ``operator: {key: values}`` for the outsider described by ``context``."""
    operator = parse_operator(entry.operator)
    if operator is None:
        return Truth.UNDECIDED
    key = entry.key.lower()
    if key not in context:
        return Truth.FREE
    value = context[key]
    if operator.base == "null":
        absent = isinstance(value, Absent)
        wants = {v.lower() for v in entry.values}
        return Truth.TRUE if ("true" if absent else "false") in wants else Truth.FALSE
    if _OPAQUE.match(operator.base):
        return Truth.UNDECIDED
    family, negated, ignore_case = _BASES[operator.base]
    if isinstance(value, Absent):
        if operator.if_exists or operator.set_operator == "forallvalues":
            return Truth.TRUE
        if operator.set_operator == "foranyvalue":
            return Truth.FALSE
        return Truth.TRUE if negated else Truth.FALSE
    hit = t_or(match_value(v, value, family, ignore_case) for v in entry.values)
    return t_not(hit) if negated else hit


def evaluate_block(entries: Iterable[ConditionEntry], context: Context) -> Truth:
    """Every entry of a Condition block (AND); an empty block is TRUE."""
    return t_and(evaluate_entry(e, context) for e in entries)


_ABSENT_MEANS = {
    "aws:principalorgid": "a caller outside any organisation",
    "aws:principalorgpaths": "a caller outside any organisation",
    "aws:sourcevpce": "a call that does not come through a VPC endpoint",
    "aws:sourcevpc": "a call that does not come through a VPC endpoint",
    "aws:sourceaccount": "a service call that names no source account",
    "aws:sourcearn": "a service call that names no source resource",
    "aws:sourceorgid": "a service call for a resource outside any organisation",
}


_UNTRUSTED = {
    "account": "neither this account nor in trusted_accounts",
    "organisation": "not in trusted_org_ids",
    "VPC endpoint": "neither one of this account's VPC endpoints nor in trusted_vpc_endpoints",
    "VPC": "neither one of this account's VPCs nor in trusted_vpcs",
}


def describe_value(key: str, value: Value) -> str:
    """Who the outsider is, as far as ``key`` goes, for a finding's reason."""
    if isinstance(value, Absent):
        return _ABSENT_MEANS.get(key, f"a request without {key}") + " (key absent)"
    if isinstance(value, Lit):
        why = _UNTRUSTED.get(value.kind)
        return f"{value.value} ({why})" if why else value.value
    if isinstance(value, Stranger):
        return f"any other {value.kind}"
    if isinstance(value, Prefixed):
        what = "an OU path of" if key.endswith("orgpaths") else "a principal of"
        return f"{what} {describe_value(key, value.anchor)}"
    if isinstance(value, SourceArn):
        return f"a resource of {describe_value(key, value.account)}"
    return f"a principal of {describe_value(key, value.account)}"


def undecided_entries(entries: Iterable[ConditionEntry], context: Context) -> list[str]:
    """The entries that cannot be evaluated offline, said why."""
    out = []
    for e in entries:
        if evaluate_entry(e, context) is not Truth.UNDECIDED:
            continue
        if parse_operator(e.operator) is None:
            out.append(f"{e.operator} is not an IAM condition operator")
        elif e.key.lower() == "aws:userid":
            out.append(f"{e} names a principal by unique id, whose account cannot be told")
        elif e.key.lower() == "aws:sourcearn":
            out.append(f"{e} names a resource whose owner cannot be told from its ARN")
        else:
            out.append(f"{e} cannot be evaluated offline")
    return out


def explain(entry: ConditionEntry, context: Context) -> str | None:
    """Why ``entry`` lets the outsider through, or None when it says nothing about them."""
    key = entry.key.lower()
    if key not in context:
        return None
    return f"{entry} holds for {describe_value(key, context[key])}"
