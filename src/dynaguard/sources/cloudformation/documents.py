"""Policy documents in templates: a resolved ``PolicyDocument`` property (JSON or YAML map,
or a JSON string). Refs inside become concrete stand-ins (a role's ARN, a table's ARN), never
wildcards; unresolved values stay ``Unknown`` so the policy controls say UNKNOWN."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dynaguard.model import Fact, Known, PolicyDocument, Unknown
from dynaguard.sources.cloudformation.context import CfnContext
from dynaguard.sources.iac.blocks import Block, Ref


def _concrete(value: Any, ctx: CfnContext) -> Any:
    if isinstance(value, Ref):
        return ctx.render(value)
    if isinstance(value, list):
        return [_concrete(v, ctx) for v in value]
    if isinstance(value, Mapping):
        return {k: _concrete(v, ctx) for k, v in value.items()}
    return value


def document(raw: Any, ctx: CfnContext) -> PolicyDocument:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            return PolicyDocument((), raw=raw, parse_error=f"policy is not valid JSON: {exc}")
    if isinstance(raw, Unknown):
        return PolicyDocument((), parse_error=raw.reason)
    if not isinstance(raw, Mapping):
        return PolicyDocument((), parse_error="PolicyDocument is not a mapping")
    statements = _concrete(raw.get("Statement"), ctx)
    if isinstance(statements, Unknown):
        return PolicyDocument((), parse_error=f"Statement unresolved: {statements.reason}")
    if isinstance(statements, Mapping):
        statements = [statements]
    return PolicyDocument(tuple(statements or ()))


def policy_fact(holder: Block | None, ctx: CfnContext, owner: Block) -> Fact[PolicyDocument | None]:
    """A resource policy (``ResourcePolicy.PolicyDocument``); none declared: Known(None)."""
    if holder is None or not holder.has("PolicyDocument"):
        return Known(None, owner.origin)
    raw = holder.raw("PolicyDocument")
    if isinstance(raw, Unknown):
        return Unknown(f"PolicyDocument: {raw.reason}", owner.origin)
    return Known(document(raw, ctx), holder.origin)
