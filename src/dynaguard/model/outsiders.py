"""The callers a resource policy must keep out, as symbolic request contexts.

``Trust`` is who counts as inside: the table's own account, the configured trusted accounts and
organisations, and the network paths that are the account's own (its collected VPC endpoints
and VPCs) or configured. ``outsiders_of`` builds the outsiders worth asking about for one
policy: every combination of

- an untrusted account: any other account, or one the policy names that is not trusted;
- its organisation: none (the ``aws:PrincipalOrg*`` keys are then absent), any other, or an
  untrusted one the policy names;
- the network path: the public endpoint (``aws:SourceVpce`` / ``aws:SourceVpc`` absent), the
  outsider's own endpoint, or an endpoint / VPC the policy names that is not the account's;

plus AWS service principals (named ones and any other) acting for an untrusted account or for
none (``aws:SourceAccount`` absent), and users of every public identity provider a
``Federated`` principal names. Keys of the request that are not modelled here
(``aws:SecureTransport``, ``aws:SourceIp``, ``aws:CurrentTime``, tags, ...) are the
outsider's to choose.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from dynaguard.model import wildcard
from dynaguard.model.policy import Statement, principal_account
from dynaguard.model.policy_conditions import (
    ABSENT,
    Absent,
    Anchor,
    Context,
    Lit,
    Prefixed,
    SourceArn,
    Stranger,
    UserId,
    Value,
)

MAX_NAMED = 16  # distinct untrusted values of one kind a policy may name before we give up
_ACCOUNT = re.compile(r"^\d{12}$")
# Keys whose values have parts (an ARN's account, an org path's organisation) that a pattern
# elsewhere in the value does not blur.
_STRUCTURED_KEYS = (
    "aws:principalarn",
    "aws:sourcearn",
    "aws:principalorgpaths",
    "aws:sourceorgpaths",
)


@dataclass(frozen=True, slots=True)
class Trust:
    """Who is inside. ``network_doubt`` says why the account's own endpoints/VPCs are not known
    (a failed read): an endpoint the policy names that is not configured is then undecided."""

    account_id: str
    accounts: frozenset[str] = frozenset()
    org_ids: frozenset[str] = frozenset()
    vpc_endpoints: frozenset[str] = frozenset()
    vpcs: frozenset[str] = frozenset()
    partition: str = "aws"
    network_doubt: str | None = None

    def trusts_account(self, account: str) -> bool:
        return account == self.account_id or account in self.accounts


@dataclass(frozen=True, slots=True)
class Outsider:
    """One caller outside the trusted set, with the request keys that identify them."""

    kind: Literal["principal", "service", "federated"]
    context: Context
    account: str | None = None  # a named untrusted account, None for any other
    service: str | None = None  # a named service principal (lower case)
    federated: str | None = None
    doubt: str | None = None
    labels: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        return ", ".join(self.labels)


@dataclass(slots=True)
class _Named:
    """Untrusted values the policy names, by kind."""

    accounts: set[str] = field(default_factory=set)
    orgs: set[str] = field(default_factory=set)
    vpces: set[str] = field(default_factory=set)
    vpcs: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    federated: set[str] = field(default_factory=set)

    def too_many(self) -> str | None:
        for kind, values in self._items():
            if len(values) > MAX_NAMED:
                return f"the policy names {len(values)} distinct {kind}: too many to evaluate"
        return None

    def _items(self) -> Iterable[tuple[str, set[str]]]:
        return (
            ("accounts", self.accounts),
            ("organisations", self.orgs),
            ("VPC endpoints", self.vpces),
            ("VPCs", self.vpcs),
            ("services", self.services),
            ("identity providers", self.federated),
        )


def _arn_account(value: str) -> str | None:
    parts = value.split(":", 5)
    return parts[4] if len(parts) == 6 and _ACCOUNT.match(parts[4]) else None


def _collect(statements: Iterable[Statement], trust: Trust) -> _Named:
    named = _Named()
    for stmt in statements:
        for kind, values in stmt.principals.items():
            for v in values:
                account = principal_account(v) if kind == "AWS" else None
                if account:
                    named.accounts.add(account)
                elif kind == "Service" and v != "*":
                    named.services.add(v.lower())
                elif kind == "Federated":
                    named.federated.add(v)
        for entry in stmt.conditions:
            _collect_condition(entry.key.lower(), entry.values, named)
    named.accounts = {a for a in named.accounts if not trust.trusts_account(a)}
    named.orgs -= trust.org_ids
    named.vpces -= trust.vpc_endpoints
    named.vpcs -= trust.vpcs
    named.federated = {f for f in named.federated if not _trusted_provider(f, trust)}
    return named


def _collect_condition(key: str, values: tuple[str, ...], named: _Named) -> None:
    for v in values:
        structured = (
            "aws:principalarn",
            "aws:sourcearn",
            "aws:principalorgpaths",
            "aws:sourceorgpaths",
        )
        if wildcard.has_wildcard(v) and key not in structured:
            continue  # a pattern names no value; the parts of an ARN or org path may
        if key in ("aws:principalaccount", "aws:sourceaccount", "aws:userid"):
            if _ACCOUNT.match(v):
                named.accounts.add(v)
        elif key in ("aws:principalarn", "aws:sourcearn"):
            account = _arn_account(v)
            if account:
                named.accounts.add(account)
        elif key in ("aws:principalorgid", "aws:sourceorgid"):
            named.orgs.add(v)
        elif key in ("aws:principalorgpaths", "aws:sourceorgpaths"):
            org = v.split("/", 1)[0]
            if org and not wildcard.has_wildcard(org):
                named.orgs.add(org)
        elif key == "aws:sourcevpce":
            named.vpces.add(v)
        elif key == "aws:sourcevpc":
            named.vpcs.add(v)


def _trusted_provider(value: str, trust: Trust) -> bool:
    """An IAM identity provider ARN belongs to its account; a bare name (accounts.google.com,
    cognito-identity.amazonaws.com) is a public provider: anyone can sign in."""
    account = _arn_account(value)
    return account is not None and trust.trusts_account(account)


def _standin(prefix: str, digits: int, taken: set[str]) -> str:
    for n in itertools.count():
        candidate = f"{prefix}{n:0{digits}d}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def outsiders_of(statements: list[Statement], trust: Trust) -> list[Outsider] | str:
    """Every outsider worth asking about for these statements, simplest first; or why the
    policy names too many distinct values to try them all."""
    named = _collect(statements, trust)
    too_many = named.too_many()
    if too_many:
        return too_many
    taken_accounts = named.accounts | set(trust.accounts) | {trust.account_id}
    any_account = Stranger("account", _standin("", 12, taken_accounts))
    any_org = Stranger("organisation", _standin("o-", 10, named.orgs | set(trust.org_ids)))
    accounts: list[Anchor] = [any_account, *(Lit(a, "account") for a in sorted(named.accounts))]
    orgs: list[Absent | Anchor] = [
        ABSENT,
        any_org,
        *(Lit(o, "organisation") for o in sorted(named.orgs)),
    ]
    out = [
        _principal(trust, account, org, network)
        for account in accounts
        for org in orgs
        for network in _networks(named, trust)
    ]
    out += _services(named, trust, accounts, orgs)
    out += [_federated(f) for f in sorted(named.federated)]
    return out


def _networks(named: _Named, trust: Trust) -> list[tuple[Value, Value, str | None]]:
    """(aws:SourceVpce, aws:SourceVpc, doubt) for each network path an outsider may take."""
    any_vpce = Stranger("VPC endpoint", _standin("vpce-", 17, named.vpces))
    any_vpc = Stranger("VPC", _standin("vpc-", 17, named.vpcs))
    doubt = trust.network_doubt
    paths: list[tuple[Value, Value, str | None]] = [
        (ABSENT, ABSENT, None),
        (any_vpce, any_vpc, None),
    ]
    paths += [(Lit(e, "VPC endpoint"), any_vpc, _doubt(e, doubt)) for e in sorted(named.vpces)]
    paths += [(any_vpce, Lit(v, "VPC"), _doubt(v, doubt)) for v in sorted(named.vpcs)]
    return paths


def _doubt(value: str, doubt: str | None) -> str | None:
    if doubt is None:
        return None
    return f"whether {value} is this account's own cannot be told ({doubt})"


def _principal(
    trust: Trust, account: Anchor, org: Absent | Anchor, network: tuple[Value, Value, str | None]
) -> Outsider:
    anchor = account.value if isinstance(account, Lit) else account.standin
    context: dict[str, Value] = {
        "aws:principalaccount": account,
        "aws:principalarn": Prefixed(account, f"arn:{trust.partition}:iam::{anchor}:"),
        "aws:principalorgid": org,
        "aws:principalorgpaths": ABSENT if isinstance(org, Absent) else _org_path(org),
        "aws:userid": UserId(account),
        "aws:sourcevpce": network[0],
        "aws:sourcevpc": network[1],
        "aws:principalisawsservice": Lit("false"),
        **_no_source(),
    }
    return Outsider(
        "principal",
        context,
        account=account.value if isinstance(account, Lit) else None,
        doubt=network[2],
        labels=(_label_account(account), _label_org(org), _label_network(network)),
    )


def _no_source() -> Mapping[str, Value]:
    return {
        "aws:sourceaccount": ABSENT,
        "aws:sourcearn": ABSENT,
        "aws:sourceorgid": ABSENT,
        "aws:sourceorgpaths": ABSENT,
        "aws:principalservicename": ABSENT,
    }


def _org_path(org: Anchor) -> Prefixed:
    anchor = org.value if isinstance(org, Lit) else org.standin
    return Prefixed(org, f"{anchor}/")


def _services(
    named: _Named, trust: Trust, accounts: list[Anchor], orgs: list[Absent | Anchor]
) -> list[Outsider]:
    services = [None, *sorted(named.services)]
    out = []
    for service, source, org in itertools.product(services, [ABSENT, *accounts], orgs):
        if isinstance(source, Absent) and not isinstance(org, Absent):
            continue
        context: dict[str, Value] = {
            key: ABSENT
            for key in (
                "aws:principalaccount",
                "aws:principalarn",
                "aws:principalorgid",
                "aws:principalorgpaths",
                "aws:userid",
                "aws:sourcevpce",
                "aws:sourcevpc",
            )
        }
        context.update(
            {
                "aws:principalisawsservice": Lit("true"),
                "aws:principalservicename": Lit(service) if service else Stranger("service", "-"),
                "aws:sourceaccount": source,
                "aws:sourcearn": ABSENT if isinstance(source, Absent) else SourceArn(source),
                "aws:sourceorgid": org,
                "aws:sourceorgpaths": ABSENT if isinstance(org, Absent) else _org_path(org),
            }
        )
        who = f"AWS service {service}" if service else "an AWS service principal"
        acting = (
            "with no source account"
            if isinstance(source, Absent)
            else f"acting for {_label_account(source)}"
        )
        out.append(Outsider("service", context, service=service, labels=(who, acting)))
    return out


def _federated(provider: str) -> Outsider:
    context: dict[str, Value] = {
        "aws:principalaccount": ABSENT,
        "aws:principalorgid": ABSENT,
        "aws:principalisawsservice": Lit("false"),
        **_no_source(),
    }
    return Outsider("federated", context, federated=provider, labels=(f"users of {provider}",))


def _label_account(account: Anchor) -> str:
    return f"untrusted account {account.value}" if isinstance(account, Lit) else "another account"


def _label_org(org: Absent | Anchor) -> str:
    if isinstance(org, Absent):
        return "outside any organisation"
    return f"in organisation {org.value}" if isinstance(org, Lit) else "in another organisation"


def _label_network(network: tuple[Value, Value, str | None]) -> str:
    vpce, vpc = network[0], network[1]
    if isinstance(vpce, Absent):
        return "over the public endpoint"
    if isinstance(vpce, Lit):
        return f"through VPC endpoint {vpce.value}"
    if isinstance(vpc, Lit):
        return f"from VPC {vpc.value}"
    return "through its own VPC endpoint"
