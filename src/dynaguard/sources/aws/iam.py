"""Identity policies of one account (DDB.012): GetAccountAuthorizationDetails, paged, once, then
the AWS managed policies that something in the account carries.

- Customer managed policies (their default version's document), each with the principals
  (ARNs) it is attached to; one attached to nothing is listed too (DDB.012 says how it judges).
- Inline policies of users, groups and roles, named ``<kind>/<principal>/<policy>`` (inline names
  are only unique per principal).
- AWS managed policies (``arn:aws:iam::aws:policy/...``) attached to at least one user, group or
  role: ``iam:GetPolicy`` (default version) and ``iam:GetPolicyVersion`` for each distinct one,
  so an account is told once about AdministratorAccess, naming every principal that carries it.
  A policy that cannot be read becomes a document with a parse error (UNKNOWN for that policy
  alone). They are not asked of GetAccountAuthorizationDetails (Filter AWSManagedPolicy), which
  would page through every AWS managed policy that exists.

botocore URL-decodes and parses IAM documents; a string is decoded here in case it was not. A
malformed response (a principal without ``Arn``, a list that is not a list) makes the account's
policies Unknown with the reason, never a traceback and never a shorter list.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from dynaguard.model import Fact, IamPolicy, PolicyDocument
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.malformed import (
    SHAPE_ERRORS,
    describe,
    guarded,
    mapping,
    objects,
    text,
)
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "iam"
FILTER = ["LocalManagedPolicy", "User", "Role", "Group"]
AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/")
# (detail list, name field, inline policy list) per principal kind.
PRINCIPAL_LISTS = (
    ("user", "UserDetailList", "UserName", "UserPolicyList"),
    ("group", "GroupDetailList", "GroupName", "GroupPolicyList"),
    ("role", "RoleDetailList", "RoleName", "RolePolicyList"),
)


def collect_iam_policies(reader: RegionReader) -> Fact[tuple[IamPolicy, ...]]:
    return guarded(
        reader, lambda: _read_policies(reader), SERVICE, "GetAccountAuthorizationDetails"
    )


def _read_policies(reader: RegionReader) -> tuple[IamPolicy, ...]:
    pages = reader.pages(SERVICE, "GetAccountAuthorizationDetails", Filter=FILTER)
    return _policies(reader, pages)


def _policies(reader: RegionReader, pages: list[dict[str, Any]]) -> tuple[IamPolicy, ...]:
    attached: dict[str, list[str]] = {}
    inline: list[IamPolicy] = []
    for kind, list_key, name_key, inline_key in PRINCIPAL_LISTS:
        for principal in objects(page_items(pages, list_key), list_key):
            arn = text(principal, "Arn")
            for ref in objects(principal.get("AttachedManagedPolicies"), "AttachedManagedPolicies"):
                attached.setdefault(text(ref, "PolicyArn"), []).append(arn)
            inline.extend(_inline(reader, kind, principal, name_key, inline_key))
    managed = [
        _managed(reader, p, attached) for p in objects(page_items(pages, "Policies"), "Policies")
    ]
    aws_managed = [
        _aws_managed(reader, arn, holders)
        for arn, holders in sorted(attached.items())
        if AWS_MANAGED_ARN.match(arn)
    ]
    return tuple(managed + inline + aws_managed)


def _managed(
    reader: RegionReader, raw: Mapping[str, Any], attached: Mapping[str, list[str]]
) -> IamPolicy:
    arn = text(raw, "Arn")
    versions = objects(raw.get("PolicyVersionList"), "PolicyVersionList")
    default = next((v for v in versions if v.get("IsDefaultVersion") is True), {})
    return IamPolicy(
        name=raw.get("PolicyName") or arn.rsplit("/", 1)[-1],  # moto omits PolicyName
        account_id=reader.account_id,
        kind="managed",
        document=policy_document(default.get("Document")),
        arn=arn,
        attached_to=tuple(attached.get(arn, ())),
        origin=reader.origin(SERVICE, "GetAccountAuthorizationDetails"),
    )


def _inline(
    reader: RegionReader, kind: str, principal: Mapping[str, Any], name_key: str, inline_key: str
) -> Iterator[IamPolicy]:
    for raw in objects(principal.get(inline_key), inline_key):
        yield IamPolicy(
            name=f"{kind}/{text(principal, name_key)}/{text(raw, 'PolicyName')}",
            account_id=reader.account_id,
            kind="inline",
            document=policy_document(raw.get("PolicyDocument")),
            attached_to=(text(principal, "Arn"),),
            origin=reader.origin(SERVICE, "GetAccountAuthorizationDetails"),
        )


def _aws_managed(reader: RegionReader, arn: str, holders: list[str]) -> IamPolicy:
    """One attached AWS managed policy: its default version's document, read live."""
    origin = reader.origin(SERVICE, "GetPolicyVersion")
    try:
        policy = mapping(reader.call(SERVICE, "GetPolicy", PolicyArn=arn).get("Policy"), "Policy")
        version = reader.call(
            SERVICE, "GetPolicyVersion", PolicyArn=arn, VersionId=text(policy, "DefaultVersionId")
        )
        document = policy_document(
            mapping(version.get("PolicyVersion"), "PolicyVersion")["Document"]
        )
    except ReadError as err:
        document = PolicyDocument((), parse_error=f"cannot read it: {err.reason}")
    except SHAPE_ERRORS as exc:
        document = PolicyDocument((), parse_error=f"malformed IAM response: {describe(exc)}")
    return IamPolicy(
        name=arn.rsplit("/", 1)[-1],
        account_id=reader.account_id,
        kind="aws_managed",
        document=document,
        arn=arn,
        attached_to=tuple(holders),
        origin=origin,
    )


def policy_document(document: Any) -> PolicyDocument:
    """Statements of an IAM document given as a dict or a URL-encoded JSON string.

    A document that cannot be parsed keeps ``parse_error`` (controls judge it UNKNOWN): one
    bad document must neither read as "no statements" nor hide every other policy.
    """
    raw = json.dumps(document) if isinstance(document, Mapping) else None
    try:
        if isinstance(document, str):
            raw = unquote(document)
            document = json.loads(raw)
        if not isinstance(document, Mapping):
            raise ValueError(f"a policy document is an object, not {type(document).__name__}")
        statements = document.get("Statement") or []
        if isinstance(statements, Mapping):
            statements = [statements]
        if not isinstance(statements, list):
            raise ValueError("Statement is neither an object nor a list")
    except ValueError as exc:
        return PolicyDocument(statements=(), raw=raw, parse_error=str(exc))
    return PolicyDocument(statements=tuple(statements), raw=raw)
