"""Parsing IAM policy documents into normalized statements: the first stage of the evaluator.

The policy evaluator is this module (grammar), ``policy_conditions`` (condition operators and
keys), ``policy_access`` (who outside the account a resource policy admits: DDB.006 and its
fix) and ``policy_identity`` (identity policies granting DynamoDB wildcard access: DDB.012),
with ``wildcard`` and ``dynamodb_actions`` beneath them. No I/O: a ``PolicyDocument`` comes
from a source already parsed.

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
class ParseProblem:
    """A statement that cannot be interpreted; ``effect`` when at least that was readable (an
    unreadable Allow cannot take access away, an unreadable Deny might)."""

    index: int
    effect: str | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One ``operator: {key: values}`` pair of a Condition block, as written (operators and
    keys are compared without case by the evaluator; values keep theirs)."""

    operator: str
    key: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        shown = self.values[0] if len(self.values) == 1 else f"[{', '.join(self.values)}]"
        return f"{self.operator} {self.key} {shown}"


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalized statement. Element values are tuples of strings."""

    index: int
    sid: str | None
    effect: str  # Allow | Deny
    principals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    not_principal: bool = False
    actions: tuple[str, ...] = ()
    not_action: bool = False
    resources: tuple[str, ...] = ()
    not_resource: bool = False
    conditions: tuple[ConditionEntry, ...] = ()

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


def _conditions(value: Any, where: str) -> tuple[ConditionEntry, ...]:
    if value is None:
        return ()
    if isinstance(value, Unknown):
        raise PolicyParseError(f"{where} is unresolved: {value.reason}")
    if not isinstance(value, Mapping):
        raise PolicyParseError(f"{where} is a {type(value).__name__}, not a mapping")
    out = []
    for operator, block in value.items():
        if not isinstance(block, Mapping):
            raise PolicyParseError(f"{where}.{operator} is not a mapping")
        for key, values in block.items():
            texts = _strings(_scalars_as_text(values), f"{where}.{operator}.{key}")
            out.append(ConditionEntry(str(operator), str(key), texts))
    return tuple(out)


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


def action_element(raw: Any) -> tuple[tuple[str, ...], bool] | None:
    """A statement's actions and whether they are a ``NotAction``, read from its Action
    element alone; None when that element is missing, doubled or unreadable. Tells what a
    statement that does not parse as a whole could grant (its Resource may be unresolved)."""
    if not isinstance(raw, Mapping) or ("Action" in raw) == ("NotAction" in raw):
        return None
    key = "NotAction" if "NotAction" in raw else "Action"
    try:
        return _strings(raw[key], key), key == "NotAction"
    except PolicyParseError:
        return None


def parse_each(document: PolicyDocument) -> tuple[list[Statement], list[ParseProblem]]:
    """The statements that parse, and why the others (or the whole document) do not.

    Lets a control report a definite grant even when another statement is unresolved."""
    if document.parse_error is not None:
        return [], [ParseProblem(-1, None, f"policy could not be parsed: {document.parse_error}")]
    statements, errors = [], []
    for i, raw in enumerate(document.statements):
        try:
            statements.append(parse_statement(raw, i))
        except PolicyParseError as exc:
            effect = raw.get("Effect") if isinstance(raw, Mapping) else None
            known = effect if effect in ("Allow", "Deny") else None
            errors.append(ParseProblem(i, known, str(exc)))
    return statements, errors


# --- principals ----------------------------------------------------------------------------


def principal_account(value: str) -> str | None:
    """The account an AWS principal belongs to (12 digits or an iam/sts ARN), else None."""
    if ACCOUNT_ID.match(value):
        return value
    m = _PRINCIPAL_ARN.match(value)
    return m.group(1) if m else None
