"""Pure helpers for reading IAM policy documents (resource policies and identity policies).

Shared by DDB.006 (who may reach a table through its resource policy) and DDB.012 (which
identity policies grant DynamoDB wildcard access). No I/O: a ``PolicyDocument`` comes from a
source already parsed; here it is normalized into ``Statement`` values and questioned.

Semantics follow the IAM policy grammar
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
action names and condition keys are case-insensitive, ``*`` matches any run of characters and
``?`` one character, ``Allow`` + ``NotPrincipal`` grants everyone but the listed principals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.model.facts import Unknown
from dynaguard.model.resources import PolicyDocument

ACCOUNT_ID = re.compile(r"^\d{12}$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")


class PolicyParseError(ValueError):
    """A statement we cannot interpret (malformed, or holding an unresolved IaC value)."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalized statement. Element values are tuples of strings; conditions are
    ``{operator: {key: values}}`` with operator and key lower-cased."""

    index: int
    sid: str | None
    effect: str  # Allow | Deny
    principals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    not_principal: bool = False
    actions: tuple[str, ...] = ()
    not_action: bool = False
    resources: tuple[str, ...] = ()
    not_resource: bool = False
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


# --- parsing -------------------------------------------------------------------------------


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A policy element as a tuple of strings: a string or a list of strings."""
    if isinstance(value, Unknown):
        raise PolicyParseError(f"{where} is unresolved: {value.reason}")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            if isinstance(item, Unknown):
                raise PolicyParseError(f"{where} holds an unresolved value: {item.reason}")
            if not isinstance(item, str):
                raise PolicyParseError(f"{where} holds a {type(item).__name__}, not a string")
            out.append(item)
        return tuple(out)
    raise PolicyParseError(f"{where} is a {type(value).__name__}, not a string or list")


def _principals(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    """``"*"`` is the same as ``{"AWS": "*"}``; other forms map a principal type to values."""
    if isinstance(value, str):
        if value != "*":
            raise PolicyParseError(f"{where} must be '*' or a mapping, got {value!r}")
        return {"AWS": ("*",)}
    if isinstance(value, Unknown):
        raise PolicyParseError(f"{where} is unresolved: {value.reason}")
    if not isinstance(value, Mapping):
        raise PolicyParseError(f"{where} is a {type(value).__name__}, not a mapping")
    return {str(kind): _strings(v, f"{where}.{kind}") for kind, v in value.items()}


def _conditions(value: Any, where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if value is None:
        return {}
    if isinstance(value, Unknown):
        raise PolicyParseError(f"{where} is unresolved: {value.reason}")
    if not isinstance(value, Mapping):
        raise PolicyParseError(f"{where} is a {type(value).__name__}, not a mapping")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for operator, block in value.items():
        if not isinstance(block, Mapping):
            raise PolicyParseError(f"{where}.{operator} is not a mapping")
        keys = out.setdefault(str(operator).lower(), {})
        for key, values in block.items():
            keys[str(key).lower()] = _strings(_scalars_as_text(values), f"{where}.{operator}.{key}")
    return out


def _scalars_as_text(values: Any) -> Any:
    """Condition values may be JSON booleans or numbers; compare them as strings."""
    if isinstance(values, bool | int | float):
        return str(values).lower()
    if isinstance(values, list):
        return [str(v).lower() if isinstance(v, bool | int | float) else v for v in values]
    return values


def parse_statement(raw: Mapping[str, Any], index: int) -> Statement:
    """Normalize one statement; raise PolicyParseError when it cannot be interpreted."""
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"statement #{index + 1} is not a mapping")
    where = f"statement #{index + 1}"
    effect = raw.get("Effect")
    if isinstance(effect, Unknown):
        raise PolicyParseError(f"{where} Effect is unresolved: {effect.reason}")
    if effect not in ("Allow", "Deny"):
        raise PolicyParseError(f"{where} has Effect {effect!r}, not Allow or Deny")
    for a, b in (
        ("Principal", "NotPrincipal"),
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
    ):
        if a in raw and b in raw:
            raise PolicyParseError(f"{where} has both {a} and {b}")
    if "Action" not in raw and "NotAction" not in raw:
        raise PolicyParseError(f"{where} has neither Action nor NotAction")
    sid = raw.get("Sid")
    principal_key = "NotPrincipal" if "NotPrincipal" in raw else "Principal"
    action_key = "NotAction" if "NotAction" in raw else "Action"
    resource_key = "NotResource" if "NotResource" in raw else "Resource"
    return Statement(
        index=index,
        sid=sid if isinstance(sid, str) and sid else None,
        effect=str(effect),
        principals=_principals(raw[principal_key], f"{where}.{principal_key}")
        if principal_key in raw
        else {},
        not_principal=principal_key == "NotPrincipal",
        actions=_strings(raw[action_key], f"{where}.{action_key}"),
        not_action=action_key == "NotAction",
        resources=_strings(raw[resource_key], f"{where}.{resource_key}")
        if resource_key in raw
        else (),
        not_resource=resource_key == "NotResource",
        conditions=_conditions(raw.get("Condition"), f"{where}.Condition"),
    )


def parse_each(document: PolicyDocument) -> tuple[list[Statement], list[str]]:
    """The statements that parse, and why the others (or the whole document) do not.

    Lets a control report a definite grant even when another statement is unresolved."""
    if document.parse_error is not None:
        return [], [f"policy document could not be parsed: {document.parse_error}"]
    statements, errors = [], []
    for i, raw in enumerate(document.statements):
        try:
            statements.append(parse_statement(raw, i))
        except PolicyParseError as exc:
            errors.append(str(exc))
    return statements, errors


def parse_statements(document: PolicyDocument) -> tuple[Statement, ...]:
    """Every statement of ``document``; PolicyParseError when any cannot be interpreted."""
    if document.parse_error is not None:
        raise PolicyParseError(f"policy document could not be parsed: {document.parse_error}")
    return tuple(parse_statement(raw, i) for i, raw in enumerate(document.statements))


# --- wildcard matching ---------------------------------------------------------------------


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM-style glob: ``*`` any run of characters (also none), ``?`` exactly one."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def covers_prefix(pattern: str, prefix: str, *, ignore_case: bool = False) -> bool:
    """True when ``pattern`` matches EVERY string that starts with ``prefix``.

    ``dynamodb:*``, ``dyn*`` and ``*`` cover the prefix ``dynamodb:``; ``dynamodb:Get*`` does
    not. Simulates the glob over ``prefix`` and then asks whether the rest of the pattern can
    absorb any suffix (only stars left, or a star still open).
    """
    if ignore_case:
        pattern, prefix = pattern.lower(), prefix.lower()
    # States: positions in the pattern reachable after consuming a prefix of ``prefix``.
    states = _close({0}, pattern)
    for ch in prefix:
        nxt: set[int] = set()
        for i in states:
            if i < len(pattern):
                if pattern[i] == "*":
                    nxt.add(i)  # the star absorbs ch and stays open
                elif pattern[i] in ("?", ch):
                    nxt.add(i + 1)
        states = _close(nxt, pattern)
        if not states:
            return False
    return any(pattern[i:].strip("*") == "" and "*" in pattern[i:] for i in states)


def _close(states: set[int], pattern: str) -> set[int]:
    """Add the positions reachable by letting a star match nothing."""
    out = set(states)
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(pattern) and pattern[i] == "*" and i + 1 not in out:
            out.add(i + 1)
            todo.append(i + 1)
    return out


# --- questions about statements -------------------------------------------------------------


def grants_all_actions_of(stmt: Statement, service: str) -> bool:
    """Does the statement's Action (or NotAction) grant every action of ``service``?

    ``Action: "*"``, ``"dynamodb:*"`` or ``"*:*"`` do; so does a NotAction list that does not
    exclude the whole service (``NotAction: "iam:*"`` grants ``dynamodb:*``).
    """
    prefix = f"{service}:"
    covered = any(covers_prefix(p, prefix, ignore_case=True) for p in stmt.actions)
    return not covered if stmt.not_action else covered


def is_table_wildcard(pattern: str) -> bool:
    """True for ``*`` and for ARN patterns that match every DynamoDB table of some account
    and region: ``arn:aws:dynamodb:*:*:table/*``, ``arn:aws:dynamodb:us-east-1:1234...:*``,
    ``arn:*:dynamodb:*``. A pattern pinned to a table name prefix is not."""
    if pattern.strip("*") == "" and pattern:
        return True
    parts = pattern.split(":", 5)
    if parts[0] and not glob_matches(parts[0], "arn"):
        return False
    if len(parts) > 2 and not glob_matches(parts[2], "dynamodb"):
        return False
    # Stand-ins: a concrete string each wildcard part matches ('*' matches the empty string).
    sample = [p.replace("*", "").replace("?", "x") for p in parts[:5]]
    sample += [""] * (5 - len(sample))
    sample[0], sample[2] = "arn", "dynamodb"
    if not sample[1]:
        sample[1] = "aws"
    prefix = ":".join(sample) + ":table/"
    return covers_prefix(pattern, prefix)


def applies_to_all_tables(stmt: Statement) -> bool:
    """Does the statement's Resource (or NotResource) reach every table?"""
    broad = any(is_table_wildcard(p) for p in stmt.resources)
    return not broad if stmt.not_resource else broad


def principal_account(value: str) -> str | None:
    """The account an AWS principal belongs to (12 digits or an iam/sts ARN), else None."""
    if ACCOUNT_ID.match(value):
        return value
    m = _PRINCIPAL_ARN.match(value)
    return m.group(1) if m else None


def condition_entries(stmt: Statement, key: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(operator, values)`` for every condition on ``key`` (case-insensitive)."""
    wanted = key.lower()
    return [
        (operator, values)
        for operator, block in stmt.conditions.items()
        for k, values in block.items()
        if k == wanted
    ]
