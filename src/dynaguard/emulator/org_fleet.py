"""A simulated AWS Organization on the emulator: member accounts with tables in some regions.

moto holds every account in one server: ``organizations:CreateAccount`` adds a member, and STS
credentials from AssumeRole on ``arn:aws:iam::<member>:role/<name>`` act in that member (moto
does not check that the role exists). The caller (moto's default account 123456789012) is the
management account. Tables are created through the member's assumed role, so the scan sees
each account's own tables, as AWS would.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from dynaguard.emulator.server import FAKE_CREDENTIAL

MANAGEMENT_ACCOUNT = "123456789012"
SEED_ROLE = "dynaguard-seed"
_CONFIG = Config(max_pool_connections=16, retries={"mode": "standard", "total_max_attempts": 3})


@dataclass(frozen=True, slots=True)
class OrgManifest:
    """What was seeded: member account ids (with OU), and table names per (account, region)."""

    management: str
    members: tuple[str, ...]
    ous: dict[str, str]  # OU name -> OU id
    member_ou: dict[str, str]  # account -> OU name ("" for the root)
    tables: dict[tuple[str, str], tuple[str, ...]]

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.management, *self.members)

    def table_count(self) -> int:
        return sum(len(t) for t in self.tables.values())


def _client(endpoint: str, service: str, region: str, creds: dict[str, str] | None = None) -> Any:
    keys = creds or {
        "aws_access_key_id": FAKE_CREDENTIAL,
        "aws_secret_access_key": FAKE_CREDENTIAL,
        "aws_session_token": FAKE_CREDENTIAL,
    }
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint, config=_CONFIG, **keys
    )


def member_credentials(endpoint: str, account: str, role: str = SEED_ROLE) -> dict[str, str]:
    """Keyword credentials for boto3 acting in ``account`` (through an assumed role)."""
    sts = _client(endpoint, "sts", "us-east-1")
    raw = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed")
    c = raw["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def seed_org(
    endpoint: str,
    members: int,
    regions: Sequence[str] = ("us-east-1", "eu-west-1"),
    tables_per_unit: int = 2,
    ous: Sequence[str] = ("prod", "dev"),
    management_tables: bool = True,
    prefix: str = "org-",
) -> OrgManifest:
    """Create an organization with ``members`` member accounts spread over ``ous`` (and the
    root), each with ``tables_per_unit`` tables in every region of ``regions``."""
    org = _client(endpoint, "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou_ids = {
        name: org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        for name in ous
    }
    ids: list[str] = []
    placed: dict[str, str] = {}
    for i in range(members):
        status = org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i}")
        account = status["CreateAccountStatus"]["AccountId"]
        ids.append(account)
        ou = list(ou_ids)[i % (len(ou_ids) + 1)] if i % (len(ou_ids) + 1) < len(ou_ids) else ""
        placed[account] = ou
        if ou:
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou_ids[ou])
    accounts = ([MANAGEMENT_ACCOUNT] if management_tables else []) + ids
    work = [(a, r) for a in accounts for r in regions]
    names = tuple(f"{prefix}{n:03d}" for n in range(tables_per_unit))

    def seed_unit(unit: tuple[str, str]) -> None:
        account, region = unit
        creds = None if account == MANAGEMENT_ACCOUNT else member_credentials(endpoint, account)
        ddb = _client(endpoint, "dynamodb", region, creds)
        for n, name in enumerate(names):
            ddb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                DeletionProtectionEnabled=n % 2 == 0,
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(seed_unit, work))
    return OrgManifest(
        MANAGEMENT_ACCOUNT,
        tuple(ids),
        ou_ids,
        placed,
        {unit: names for unit in work},
    )
