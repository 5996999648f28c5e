"""Does an identity policy grant DynamoDB wildcard access (DDB.012)?

Wildcard access is every DynamoDB action on every table. Actions: the Allow statements that
reach every table grant, together, all of AWS's DynamoDB actions (``*``, ``dynamodb:*``,
``dyn*``, or a list of patterns that together match them all: ``dynamodb_actions``), or one of
them uses ``NotAction`` and leaves any DynamoDB action in (NotAction grants, unscoped, every
action AWS adds later too). Tables: ``*``, an ARN pattern that matches every table of some
account and region (``arn:aws:dynamodb:*:*:table/*``), or a ``NotResource`` that does not
exclude them all. An unconditional Deny on every table in the same policy takes its actions
away; conditions on an Allow do not excuse it (the grant is still unscoped).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
"""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.model import dynamodb_actions, wildcard
from dynaguard.model.policy import ParseProblem, Statement, parse_each
from dynaguard.model.resources import PolicyDocument


def is_table_wildcard(pattern: str) -> bool:
    """True for ``*`` and for ARN patterns that match every DynamoDB table of some account
    and region: ``arn:aws:dynamodb:*:*:table/*``, ``arn:aws:dynamodb:us-east-1:1234...:*``,
    ``arn:*:dynamodb:*``. A pattern pinned to a table name prefix is not."""
    if pattern and pattern.strip("*") == "":
        return True
    parts = pattern.split(":", 5)
    if parts[0] and not wildcard.matches(parts[0], "arn"):
        return False
    if len(parts) > 2 and not wildcard.matches(parts[2], "dynamodb"):
        return False
    # Stand-ins: a concrete string each wildcard part matches ('*' matches the empty string).
    sample = [p.replace("*", "").replace("?", "x") for p in parts[:5]]
    sample += [""] * (5 - len(sample))
    sample[0], sample[2] = "arn", "dynamodb"
    if not sample[1]:
        sample[1] = "aws"
    return wildcard.covers_prefix(pattern, ":".join(sample) + ":table/")


def applies_to_all_tables(stmt: Statement) -> bool:
    """Does the statement's Resource (or NotResource) reach every table?"""
    broad = any(is_table_wildcard(p) for p in stmt.resources)
    return not broad if stmt.not_resource else broad


@dataclass(frozen=True, slots=True)
class WildcardGrant:
    """The verdict material: the offending statements (empty: no wildcard grant)."""

    statements: tuple[Statement, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    actions: frozenset[str] = frozenset()

    @property
    def found(self) -> bool:
        return bool(self.statements)


def _allowed(stmt: Statement) -> frozenset[str]:
    return dynamodb_actions.granted(stmt.actions, not_action=stmt.not_action)


def _denied(statements: list[Statement]) -> frozenset[str]:
    """Actions an unconditional Deny on every table takes away."""
    out: frozenset[str] = frozenset()
    for s in statements:
        if not s.allows and not s.conditions and applies_to_all_tables(s):
            out |= _allowed(s)
    return out


def malformed(statements: list[Statement]) -> list[str]:
    """Allow statements granting DynamoDB actions with no Resource element at all (invalid in
    an identity policy; typically a value a source could not resolve)."""
    return [s.label for s in statements if s.allows and not s.resources and _allowed(s)]


def wildcard_grant(document: PolicyDocument) -> WildcardGrant:
    """The statements through which ``document`` grants every DynamoDB action on every table."""
    statements, problems = parse_each(document)
    denied = _denied(statements)
    broad = [s for s in statements if s.allows and s.resources and applies_to_all_tables(s)]
    granted = {s.index: _allowed(s) - denied for s in broad}
    everything = dynamodb_actions.all_actions()
    union = frozenset().union(*granted.values()) if granted else frozenset()
    # One statement granting it all is named alone; else every statement of a union that does.
    offending = [
        s for s in broad if granted[s.index] == everything or (s.not_action and granted[s.index])
    ]
    if not offending and union == everything:
        offending = [s for s in broad if granted[s.index]]
    if not offending:
        return WildcardGrant(problems=tuple(problems))
    actions = frozenset().union(*(granted[s.index] for s in offending))
    return WildcardGrant(tuple(offending), tuple(problems), actions)
