"""Identity policies of one account (DDB.012): GetAccountAuthorizationDetails, paged, once.

Customer managed policies (their default version's document) and inline policies of users,
groups and roles, each with the principals (ARNs) that carry it. AWS managed policies are not
included (Filter LocalManagedPolicy). botocore URL-decodes and parses IAM documents; a string
is decoded here in case it was not. Inline policy names are only unique per principal, so an
inline policy is named ``<kind>/<principal>/<policy>``.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from dynaguard.model import Fact, IamPolicy, PolicyDocument
from dynaguard.sources.aws.reader import RegionReader, page_items

SERVICE = "iam"
FILTER = ["LocalManagedPolicy", "User", "Role", "Group"]
# (detail list, name field, inline policy list) per principal kind.
PRINCIPAL_LISTS = (
    ("user", "UserDetailList", "UserName", "UserPolicyList"),
    ("group", "GroupDetailList", "GroupName", "GroupPolicyList"),
    ("role", "RoleDetailList", "RoleName", "RolePolicyList"),
)


def collect_iam_policies(reader: RegionReader) -> Fact[tuple[IamPolicy, ...]]:
    return reader.fact(lambda: _read_policies(reader), SERVICE, "GetAccountAuthorizationDetails")


def _read_policies(reader: RegionReader) -> tuple[IamPolicy, ...]:
    pages = reader.pages(SERVICE, "GetAccountAuthorizationDetails", Filter=FILTER)
    return _policies(reader, pages)


def _policies(reader: RegionReader, pages: list[dict[str, Any]]) -> tuple[IamPolicy, ...]:
    principals = [
        (kind, p, name_key, inline_key)
        for kind, list_key, name_key, inline_key in PRINCIPAL_LISTS
        for p in page_items(pages, list_key)
    ]
    attached: dict[str, list[str]] = {}
    inline: list[IamPolicy] = []
    for kind, principal, name_key, inline_key in principals:
        for ref in principal.get("AttachedManagedPolicies") or ():
            attached.setdefault(ref["PolicyArn"], []).append(principal["Arn"])
        inline.extend(_inline(reader, kind, principal, name_key, inline_key))
    managed = [_managed(reader, p, attached) for p in page_items(pages, "Policies")]
    return tuple(managed + inline)


def _managed(
    reader: RegionReader, raw: Mapping[str, Any], attached: Mapping[str, list[str]]
) -> IamPolicy:
    arn = raw["Arn"]
    versions: list[Mapping[str, Any]] = raw.get("PolicyVersionList") or []
    default = next((v for v in versions if v.get("IsDefaultVersion")), {})
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
    for raw in principal.get(inline_key) or ():
        yield IamPolicy(
            name=f"{kind}/{principal[name_key]}/{raw['PolicyName']}",
            account_id=reader.account_id,
            kind="inline",
            document=policy_document(raw.get("PolicyDocument")),
            attached_to=(principal["Arn"],),
            origin=reader.origin(SERVICE, "GetAccountAuthorizationDetails"),
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
