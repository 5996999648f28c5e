"""IAM policy documents in Terraform: JSON strings (``jsonencode``, heredocs, files) and
``data.aws_iam_policy_document`` blocks, and the identity policies that carry them.

A reference inside a document becomes a concrete stand-in for the value it will have (a table's
ARN, a role's ARN in the deploying account, the deploying account id): such values are never
wildcards. An unresolved value stays ``Unknown`` inside the statement, so the policy controls
judge that statement UNKNOWN. tfparse renders ``jsonencode`` of a partly unknown object with
``null`` in place of the unknown parts; IAM documents never hold ``null``, so a ``null`` marks an
unresolved value too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from dynaguard.model import Fact, IamPolicy, Known, PolicyDocument, Unknown
from dynaguard.model.aws_managed_policies import document_of as aws_managed_document
from dynaguard.model.aws_managed_policies import is_aws_managed_arn
from dynaguard.model.resources import IAC_STREAM_LABEL
from dynaguard.sources.iac.blocks import Block, Ref, first_unknown
from dynaguard.sources.iac.declared import synthetic_table_arn
from dynaguard.sources.iac.values import str_fact
from dynaguard.sources.terraform.context import TfContext
from dynaguard.sources.terraform.hcl import UNRESOLVED_INTERPOLATION

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INLINE_POLICY_TYPES = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
_ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role",),
    "aws_iam_user_policy_attachment": ("user",),
    "aws_iam_group_policy_attachment": ("group",),
    "aws_iam_policy_attachment": ("roles", "users", "groups"),
}


def render_ref(ref: Ref, ctx: TfContext) -> str:
    """The value a reference will have, as far as policies care."""
    block = ctx.resolve(ref)
    if block is None:
        return f"${{{ref}}}"
    name = str_fact(block, "name", None)
    named = name.value if isinstance(name, Known) and name.value else block.address
    if block.type == "aws_dynamodb_table":
        arn = synthetic_table_arn(ctx.region_of(block), ctx.declared.account_id, named)
        if ref.attribute == "stream_arn":
            return f"{arn}/stream/{IAC_STREAM_LABEL}"
        return named if ref.attribute == "name" else arn
    if block.type in ("aws_vpc_endpoint", "aws_vpc"):
        return block.address  # the id the model gives them (DDB.006 trusts the account's own)
    if block.type in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        return f"arn:aws:iam::{ctx.declared.account_id}:{block.type[8:]}/{named}"
    if block.type == "aws_caller_identity":
        return ctx.declared.account_id
    return f"${{{ref}}}"


def _concrete(value: Any, ctx: TfContext) -> Any:
    """A document value with references rendered and unresolved parts kept as Unknown."""
    if isinstance(value, Ref):
        return render_ref(value, ctx)
    if value is None:
        return Unknown("a value in the policy document could not be resolved")
    if isinstance(value, str):
        if UNRESOLVED_INTERPOLATION.search(value) and not value.startswith("${aws_"):
            return Unknown(f"{value!r} is only partly resolved")
        return _UUID.sub(lambda m: _embedded(m.group(0), ctx), value)
    if isinstance(value, list):
        return [_concrete(v, ctx) for v in value]
    if isinstance(value, Mapping):
        return {k: _concrete(v, ctx) for k, v in value.items()}
    return value


def _embedded(uuid: str, ctx: TfContext) -> str:
    address = ctx.ids.get(uuid)
    return render_ref(Ref(address), ctx) if address else uuid


def _from_json(text: str, ctx: TfContext) -> PolicyDocument:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return PolicyDocument((), raw=text, parse_error=f"policy is not valid JSON: {exc}")
    if not isinstance(data, Mapping):
        return PolicyDocument((), raw=text, parse_error="policy JSON is not an object")
    statements = _concrete(data.get("Statement"), ctx)
    if isinstance(statements, Unknown):
        return PolicyDocument(
            (), raw=text, parse_error=f"Statement unresolved: {statements.reason}"
        )
    if isinstance(statements, Mapping):
        statements = [statements]
    return PolicyDocument(tuple(statements), raw=text)


def _principals(blocks: list[Block], ctx: TfContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in blocks:
        kind = _concrete(p.raw("type"), ctx)
        ids = _concrete(p.raw("identifiers"), ctx)
        out.setdefault(str(kind), []).extend(ids if isinstance(ids, list) else [ids])
    return out


def _statement(block: Block, ctx: TfContext) -> dict[str, Any]:
    effect = _concrete(block.raw("effect"), ctx) if block.has("effect") else "Allow"
    stmt: dict[str, Any] = {"Effect": effect}
    if block.has("sid"):
        stmt["Sid"] = _concrete(block.raw("sid"), ctx)
    for attr, key in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        if block.has(attr):
            stmt[key] = _concrete(block.raw(attr), ctx)
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if block.blocks(attr):
            stmt[key] = _principals(block.blocks(attr), ctx)
    conditions: dict[str, Any] = {}
    for cond in block.blocks("condition"):
        test, variable = _concrete(cond.raw("test"), ctx), _concrete(cond.raw("variable"), ctx)
        if isinstance(test, Unknown) or isinstance(variable, Unknown):
            return {"Effect": "Allow", "Condition": test if isinstance(test, Unknown) else variable}
        conditions.setdefault(str(test), {})[str(variable)] = _concrete(cond.raw("values"), ctx)
    if conditions:
        stmt["Condition"] = conditions
    return stmt


def _from_data_document(block: Block, ctx: TfContext) -> PolicyDocument:
    for merged in ("source_policy_documents", "override_policy_documents", "source_json"):
        if block.has(merged):
            return PolicyDocument(
                (), parse_error=f"{block.address}.{merged} is not evaluated offline"
            )
    return PolicyDocument(tuple(_statement(s, ctx) for s in block.blocks("statement")))


def document_of(block: Block, attr: str, ctx: TfContext) -> Fact[PolicyDocument]:
    """The policy document held by ``attr`` of ``block``."""
    value = block.raw(attr)
    hole = first_unknown(value)
    if hole is not None:
        return Unknown(f"{attr}: {hole.reason}", block.origin)
    if isinstance(value, Ref):
        target = ctx.resolve(value)
        if target is not None and target.type == "aws_iam_policy_document":
            return Known(_from_data_document(target, ctx), block.origin)
        return Unknown(f"{attr} = {value} is not resolvable offline", block.origin)
    if isinstance(value, str):
        return Known(_from_json(value, ctx), block.origin)
    if isinstance(value, Mapping):
        return Known(_from_json(json.dumps(value), ctx), block.origin)
    return Unknown(f"{attr} is missing or not a policy document", block.origin)


def policy_document(block: Block, attr: str, ctx: TfContext) -> Fact[PolicyDocument | None]:
    """A resource policy: Unknown when its text cannot be resolved (DDB.006 says UNKNOWN)."""
    doc = document_of(block, attr, ctx)
    return doc if isinstance(doc, Unknown) else Known(doc.value, doc.origin)


def _as_iam(
    block: Block, attr: str, name: str, kind: str, holders: tuple[str, ...], ctx: TfContext
) -> IamPolicy:
    doc = document_of(block, attr, ctx)
    document = doc.value if isinstance(doc, Known) else PolicyDocument((), parse_error=doc.reason)
    return IamPolicy(
        name,
        ctx.declared.account_id,
        kind,
        document,
        None,
        holders,
        block.origin,
        block.suppressions,
    )


def _holder(value: Any) -> str:
    return value.address if isinstance(value, Ref) else str(value)


def _attachments(ctx: TfContext) -> tuple[dict[str, list[str]], dict[str, list[Block]]]:
    """(holders by attached policy address or AWS managed ARN, the blocks attaching each AWS
    managed ARN): ``aws_iam_*_policy_attachment`` and ``aws_iam_role.managed_policy_arns``."""
    out: dict[str, list[str]] = {}
    where: dict[str, list[Block]] = {}
    for kind, attrs in _ATTACHMENTS.items():
        for block in ctx.of_type(kind):
            policy = block.raw("policy_arn")
            key = _data_policy_arn(policy, ctx) or (
                policy.address if isinstance(policy, Ref) else policy
            )
            if not isinstance(key, str):
                continue
            if is_aws_managed_arn(key):
                where.setdefault(key, []).append(block)
            for attr in attrs:
                values = block.raw(attr)
                for v in values if isinstance(values, list) else [values]:
                    if v is not None:
                        out.setdefault(key, []).append(_holder(v))
    for role in ctx.of_type("aws_iam_role"):
        arns = role.raw("managed_policy_arns")
        for arn in arns if isinstance(arns, list) else []:
            if isinstance(arn, str) and is_aws_managed_arn(arn):
                out.setdefault(arn, []).append(role.address)
                where.setdefault(arn, []).append(role)
    return out, where


def _data_policy_arn(policy: Any, ctx: TfContext) -> str | None:
    """``data.aws_iam_policy.x.arn`` looking up an AWS managed policy by ARN or by name."""
    if not isinstance(policy, Ref):
        return None
    block = ctx.resolve(policy)
    if block is None or block.mode != "data" or block.type != "aws_iam_policy":
        return None
    arn, name = block.raw("arn"), block.raw("name")
    if isinstance(arn, str) and is_aws_managed_arn(arn):
        return arn
    if isinstance(name, str):
        candidate = f"arn:aws:iam::aws:policy/{name}"
        if aws_managed_document(candidate).parse_error is None:
            return candidate
    return None


def _aws_managed(arn: str, holders: list[str], blocks: list[Block], ctx: TfContext) -> IamPolicy:
    """An AWS managed policy the code attaches, reported once per account at its first
    attachment, with the document from dynaguard's table (``model.aws_managed_policies``)."""
    first = blocks[0]
    return IamPolicy(
        arn.rsplit("/", 1)[-1],
        ctx.declared.account_id,
        "aws_managed",
        aws_managed_document(arn),
        arn,
        tuple(dict.fromkeys(holders)),
        first.origin,
        tuple(sup for b in blocks for sup in b.suppressions),
    )


def map_iam_policies(ctx: TfContext) -> list[IamPolicy]:
    attached, attaching = _attachments(ctx)
    out = [
        _as_iam(b, "policy", b.address, "managed", tuple(attached.get(b.address, ())), ctx)
        for b in ctx.of_type("aws_iam_policy")
    ]
    for kind, holder_attr in _INLINE_POLICY_TYPES.items():
        for b in ctx.of_type(kind):
            holder = b.raw(holder_attr)
            out.append(_as_iam(b, "policy", b.address, "inline", (str(holder),), ctx))
    for role in ctx.of_type("aws_iam_role"):
        for i, inline in enumerate(role.blocks("inline_policy")):
            if inline.has("policy"):
                named = Block(
                    role.type,
                    role.address,
                    inline.origin,
                    inline.attrs,
                    "nested",
                    role.suppressions,
                )
                out.append(
                    _as_iam(
                        named,
                        "policy",
                        f"{role.address}.inline_policy[{i}]",
                        "inline",
                        (role.address,),
                        ctx,
                    )
                )
    out += [
        _aws_managed(arn, attached.get(arn, []), blocks, ctx)
        for arn, blocks in sorted(attaching.items())
    ]
    return out
