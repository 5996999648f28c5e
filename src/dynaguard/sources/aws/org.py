"""Which accounts a multi-account scan covers, and how each one is reached.

``--org``: the ACTIVE accounts of the caller's organization (``organizations:ListAccounts``,
from the management account or a delegated administrator), or with ``--ou`` the ACTIVE accounts
anywhere under those organizational units (``ListAccountsForParent`` and
``ListOrganizationalUnitsForParent``, walked down the tree). ``--accounts`` narrows that list,
or alone names the accounts to scan; ``--exclude-accounts`` removes some. The caller's own
account is scanned with the caller's credentials; every other one through
``arn:<partition>:iam::<account>:role/<role name>``.
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.errors import AuditError, UsageError
from dynaguard.logs import get_logger
from dynaguard.sources.aws.failures import read_error
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.shape import Body, MalformedResponse, page_bodies

log = get_logger("aws.org")

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PARENT_ID = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")
# IAM role names and paths: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
_ROLE_NAME = re.compile(r"^[\w+=,.@-]+(/[\w+=,.@-]+)*$")


@dataclass(frozen=True, slots=True)
class AccountSelection:
    """The accounts of a multi-account scan, as the options give them."""

    org: bool = False
    accounts: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    role_name: str | None = None

    def __post_init__(self) -> None:
        for flag, ids in (("--accounts", self.accounts), ("--exclude-accounts", self.exclude)):
            bad = [a for a in ids if not _ACCOUNT_ID.match(a)]
            if bad:
                raise UsageError(f"{flag}: not a 12-digit account id: {', '.join(bad)}")
        bad = [o for o in self.ous if not _PARENT_ID.match(o)]
        if bad:
            raise UsageError(f"--ou: not an organizational unit or root id: {', '.join(bad)}")
        if self.ous and not self.org:
            raise UsageError("--ou walks the organization: use it with --org")
        if self.role_name is not None and not _ROLE_NAME.match(self.role_name):
            raise UsageError(f"--role-name: not an IAM role name: {self.role_name!r}")

    @property
    def fan_out(self) -> bool:
        """Whether this selects accounts at all (else: the caller's account only)."""
        return self.org or bool(self.accounts)


@dataclass(frozen=True, slots=True)
class AccountTarget:
    """One account to scan: ``role_arn`` None means the caller's own credentials."""

    account_id: str
    role_arn: str | None = None
    name: str = ""


def parse_account_ids(text: str | None) -> tuple[str, ...]:
    """``"111122223333, 444455556666"`` -> the ids, in order, without duplicates."""
    ids = [part.strip() for part in (text or "").split(",") if part.strip()]
    return tuple(dict.fromkeys(ids))


def resolve_targets(session: AwsSession, selection: AccountSelection) -> tuple[AccountTarget, ...]:
    """The accounts to scan, sorted by id, each with how it is reached."""
    caller = session.account_id()
    names: dict[str, str] = {}
    if selection.org:
        members = list_org_accounts(session, selection.ous)
        names = dict(members)
        wanted = list(names)
        if selection.accounts:
            outside = [a for a in selection.accounts if a not in names]
            if outside:
                where = f"under {', '.join(selection.ous)}" if selection.ous else "in"
                raise UsageError(
                    f"--accounts: not an ACTIVE account {where} the organization: "
                    + ", ".join(outside)
                )
            wanted = list(selection.accounts)
    else:
        wanted = list(selection.accounts) or [caller]
    chosen = sorted(set(wanted) - set(selection.exclude))
    if not chosen:
        raise UsageError("no account left to scan (every selected account is excluded)")
    others = [a for a in chosen if a != caller]
    if others and not selection.role_name:
        raise UsageError("--role-name is required to scan accounts other than the caller's")
    partition = session.partition(session.home_region)
    return tuple(
        AccountTarget(
            account,
            None if account == caller else role_arn(partition, account, str(selection.role_name)),
            names.get(account, ""),
        )
        for account in chosen
    )


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def list_org_accounts(session: AwsSession, ous: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(account id, name) of every ACTIVE account of the organization, or under ``ous``."""
    region = session.home_region
    client = session.client("organizations", region)
    ous = tuple(ous)
    try:
        raw = list(_under(client, ous, region)) if ous else _pages(client, "ListAccounts", region)
        found = {a.text("Id"): a.opt_text("Name") or "" for a in raw if _active(a)}
    except (ClientError, BotoCoreError, MalformedResponse) as exc:
        action = "organizations:ListAccountsForParent" if ous else "organizations:ListAccounts"
        error = read_error(exc, action, region)
        code = getattr(error, "code", "")
        if code in ("ParentNotFoundException", "ChildNotFoundException"):
            raise UsageError(f"--ou: {getattr(error, 'message', error)}") from None
        raise AuditError(f"cannot list the organization's accounts: {error}") from None
    if not found and ous:
        raise UsageError(f"--ou: no ACTIVE account under {', '.join(ous)}")
    if not found:
        raise AuditError("organizations:ListAccounts lists no ACTIVE account")
    log.info("organization: %d active account(s)", len(found))
    return sorted(found.items())


def _active(account: Body) -> bool:
    """ACTIVE by ``State`` (the newer field) or else ``Status`` (deprecated, still returned).
    An account with neither is malformed: read as inactive it would silently leave the list.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html"""
    state = account.opt_text("State") or account.opt_text("Status")
    if state is None:
        raise account.fail("State", "a string")
    return state == "ACTIVE"


# operation -> the list each page holds
_LISTS = {
    "ListAccounts": "Accounts",
    "ListAccountsForParent": "Accounts",
    "ListOrganizationalUnitsForParent": "OrganizationalUnits",
}


def _pages(client: Any, operation: str, region: str, **params: Any) -> list[Body]:
    """Every item of every page, typed. AWS sends the list on every page (maybe empty): a page
    without it is a MalformedResponse, never an account silently left out of the scan."""
    pages = page_bodies(client, f"organizations:{operation}", region, **params)
    return [item for page in pages for item in page.children(_LISTS[operation])]


def _under(client: Any, roots: tuple[str, ...], region: str) -> Iterator[Body]:
    """Accounts anywhere below ``roots``: breadth-first over the OU tree, each OU once."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        parent = todo.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        yield from _pages(client, "ListAccountsForParent", region, ParentId=parent)
        children = _pages(client, "ListOrganizationalUnitsForParent", region, ParentId=parent)
        todo.extend(c.text("Id") for c in children)
