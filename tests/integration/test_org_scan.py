"""``scan --org`` / ``--accounts`` end to end on a simulated organization in the emulator:
accounts from Organizations, member roles assumed, isolation of a denied account and of a
region that is not enabled, findings per account, the terminal report grouped by account."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.emulator import Emulator
from dynaguard.emulator.org_fleet import OrgManifest, member_credentials, seed_org
from dynaguard.emulator.proxy import Fault, FaultProxy
from tests.integration.conftest import offline_emulator

REGIONS = ("us-east-1", "eu-west-1")


@dataclass(frozen=True)
class Org:
    emulator: Emulator
    manifest: OrgManifest

    @property
    def url(self) -> str:
        return self.emulator.endpoint_url


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    with offline_emulator() as emulator:
        manifest = seed_org(emulator.endpoint_url, members=4, regions=REGIONS)
        # one member has opted in to me-south-1 (and has a table there)
        member = manifest.members[0]
        creds = member_credentials(emulator.endpoint_url, member)
        kw = {"endpoint_url": emulator.endpoint_url, **creds}
        boto3.client("account", region_name="us-east-1", **kw).enable_region(
            RegionName="me-south-1"
        )
        boto3.client("dynamodb", region_name="me-south-1", **kw).create_table(
            TableName="org-bahrain",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield Org(emulator, manifest)


def scan(org: Org, *extra: str, url: str | None = None) -> int:
    return run(["scan", "--endpoint-url", url or org.url, *extra])


def report(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


ORG = ("--org", "--role-name", "dynaguard-audit", "--region", "us-east-1", "--region", "eu-west-1")


def test_org_scan_covers_every_active_account_and_region(org: Org, capsys) -> None:
    code = scan(org, *ORG, "--controls", "DDB.003", "--format", "json", "--workers", "1")
    data = report(capsys)
    assert code == 1  # half the tables lack deletion protection
    units = Counter((f["account_id"], f["region"]) for f in data["findings"])
    expected = {(a, r) for a in org.manifest.accounts for r in REGIONS}
    assert set(units) == expected
    assert all(n == 2 for n in units.values())  # two tables per (account, region)
    calls = data["stats"]["api_calls"]
    assert calls["organizations:ListAccounts"] == 1
    assert calls["sts:AssumeRole"] == len(org.manifest.members)  # the caller needs no role
    assert data["stats"]["accounts"] == len(org.manifest.accounts)
    assert data["stats"]["units"] == len(expected)
    assert data["config_hash"].startswith("sha256:")


def test_ou_walks_the_tree_and_exclude_drops_accounts(org: Org, capsys) -> None:
    prod = org.manifest.ous["prod"]
    in_prod = {a for a, ou in org.manifest.member_ou.items() if ou == "prod"}
    scan(org, *ORG, "--ou", prod, "--controls", "DDB.003", "--format", "json")
    assert {f["account_id"] for f in report(capsys)["findings"]} == in_prod
    dropped = org.manifest.members[1]
    scan(org, *ORG, "--exclude-accounts", dropped, "--controls", "DDB.003", "--format", "json")
    seen = {f["account_id"] for f in report(capsys)["findings"]}
    assert seen == set(org.manifest.accounts) - {dropped}


def test_accounts_without_org_needs_no_organizations_call(org: Org, capsys) -> None:
    picked = org.manifest.members[2:4]
    code = scan(
        org,
        "--accounts",
        ",".join(picked),
        "--role-name",
        "dynaguard-audit",
        "--external-id",  # with --role-name, not only --role-arn
        "audit-2026",
        "--region",
        "us-east-1",
        "--controls",
        "DDB.003",
        "--format",
        "json",
    )
    data = report(capsys)
    assert code == 1
    assert {f["account_id"] for f in data["findings"]} == set(picked)
    assert "organizations:ListAccounts" not in data["stats"]["api_calls"]


def test_denied_account_is_unknown_and_the_others_are_scanned(org: Org, capsys) -> None:
    denied = org.manifest.members[1]
    fault = Fault("AssumeRole", "deny", body_contains=denied)
    with FaultProxy(org.url, faults=[fault]) as url:
        code = scan(org, *ORG, "--controls", "DDB.003,DDB.012", "--format", "json", url=url)
    data = report(capsys)
    assert code == 1
    mine = [f for f in data["findings"] if f["account_id"] == denied]
    assert {(f["region"], f["control_id"]) for f in mine} == {
        ("us-east-1", "DDB.003"),
        ("eu-west-1", "DDB.003"),
        ("global", "DDB.012"),
    }
    assert {f["status"] for f in mine} == {"UNKNOWN"}
    assert all("cannot assume role" in f["reason"] and "AccessDenied" in f["reason"] for f in mine)
    others = {f["account_id"] for f in data["findings"] if f["status"] != "UNKNOWN"}
    assert others == set(org.manifest.accounts) - {denied}
    assert any(denied in n for n in data["notices"])


def test_denied_account_alone_makes_exit_3(org: Org, capsys) -> None:
    denied = org.manifest.members[1]
    fault = Fault("AssumeRole", "deny", body_contains=denied)
    with FaultProxy(org.url, faults=[fault]) as url:
        # no table matches: the healthy accounts have nothing to report, nothing fails
        code = scan(
            org, *ORG, "--controls", "DDB.003", "--prefix", "none-", "--format", "json", url=url
        )
    data = report(capsys)
    assert code == 3
    assert {f["status"] for f in data["findings"]} == {"UNKNOWN"}
    assert {f["account_id"] for f in data["findings"]} == {denied}


def test_all_regions_are_each_accounts_enabled_regions(org: Org, capsys) -> None:
    opted_in = org.manifest.members[0]
    code = scan(
        org,
        "--org",
        "--role-name",
        "dynaguard-audit",
        "--all-regions",
        "--table",
        "org-bahrain",
        "--controls",
        "DDB.003",
        "--format",
        "json",
        "--workers",
        "1",
    )
    data = report(capsys)
    assert code == 1
    assert [(f["account_id"], f["region"]) for f in data["findings"]] == [(opted_in, "me-south-1")]
    # 17 regions enabled by default everywhere, plus the opted-in one
    assert data["stats"]["units"] == 17 * len(org.manifest.accounts) + 1
    assert data["stats"]["api_calls"]["account:ListRegions"] == len(org.manifest.accounts)


def test_a_region_not_enabled_is_unknown_for_that_account_only(org: Org, capsys) -> None:
    opted_in = org.manifest.members[0]
    code = scan(
        org,
        "--org",
        "--role-name",
        "dynaguard-audit",
        "--region",
        "me-south-1",
        "--controls",
        "DDB.003",
        "--format",
        "json",
    )
    data = report(capsys)
    assert code == 1  # org-bahrain has no deletion protection
    by_account = {f["account_id"]: f for f in data["findings"]}
    assert by_account[opted_in]["status"] == "FAIL"
    for account in set(org.manifest.accounts) - {opted_in}:
        assert by_account[account]["status"] == "UNKNOWN"
        assert "not enabled" in by_account[account]["reason"]


def test_terminal_report_groups_by_account_and_counts_them(org: Org, capsys) -> None:
    scan(org, *ORG, "--controls", "DDB.003", "--no-color")
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("== account ")]
    assert headings == [f"== account {a} ==" for a in sorted(org.manifest.accounts)]
    assert f"resources in {len(org.manifest.accounts)} accounts, 1 control:" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "--region", "us-east-1"], "--role-name is required"),
        (["--accounts", "12345", "--role-name", "r"], "not a 12-digit account id"),
        (["--ou", "ou-abcd-12345678", "--role-name", "r"], "use it with --org"),
        (["--org", "--ou", "bogus", "--role-name", "r"], "not an organizational unit"),
        (["--exclude-accounts", "111122223333"], "needs --org or --accounts"),
        (["--org", "--role-name", "bad name!"], "not an IAM role name"),
        (["--org", "--role-name", "r", "--accounts", "111122223333"], "not an ACTIVE account"),
        (["--shard", "4/4"], "K must be 0..N-1"),
        (["--shard", "x"], "expected K/N"),
    ],
)
def test_bad_org_options_are_one_line_exit_2(org: Org, capsys, args, message) -> None:
    code = scan(org, "--region", "us-east-1", *args)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err


def test_worker_processes_split_the_units_and_report_the_same(org: Org, capsys) -> None:
    args = (*ORG, "--controls", "DDB.002,DDB.003,DDB.012,DDB.015", "--format", "json")
    assert scan(org, *args, "--workers", "1") == 1
    one = report(capsys)
    assert scan(org, *args, "--workers", "3") == 1
    three = report(capsys)
    assert three["stats"]["workers"] == 3
    assert three["findings"] == one["findings"]  # same findings, same order
    assert three["summary"] == one["summary"]
    assert three["stats"]["units"] == one["stats"]["units"]
    # each worker opens the accounts whose units it holds: at most once per worker
    n = len(org.manifest.members)
    assert n <= three["stats"]["api_calls"]["sts:AssumeRole"] <= 3 * n


def test_a_malformed_account_list_is_one_line_exit_3(org: Org, capsys) -> None:
    """A ListAccounts answer with an account whose Id is null: the scan cannot know whom to
    scan, so it stops with one line naming the action and the key (never a shorter list)."""
    reply = json.dumps({"Accounts": [{"Id": None, "Name": "x", "State": "ACTIVE"}]}).encode()
    with FaultProxy(org.url, faults=[Fault("ListAccounts", "reply", reply=reply)]) as url:
        code = scan(org, *ORG, "--controls", "DDB.003", "--format", "json", url=url)
    captured = capsys.readouterr()
    assert code == 3, captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert "organizations:ListAccounts failed: MalformedResponse" in lines[0]
    assert "Accounts[0].Id: expected a string, got nothing" in lines[0]  # botocore drops a null
    assert captured.out == ""


# An AssumeRole answer without Credentials.SecretAccessKey
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
NO_SECRET = (
    b'<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
    b"<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SessionToken>token</SessionToken>"
    b"<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
    b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"
)


def test_malformed_role_credentials_make_that_account_unknown_exit_3(org: Org, capsys) -> None:
    broken = org.manifest.members[1]
    fault = Fault("AssumeRole", "reply", body_contains=broken, reply=NO_SECRET)
    with FaultProxy(org.url, faults=[fault]) as url:
        # no table matches: the healthy accounts have nothing to report, nothing fails
        code = scan(
            org, *ORG, "--controls", "DDB.003", "--prefix", "none-", "--format", "json", url=url
        )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 3
    assert {f["account_id"] for f in data["findings"]} == {broken}
    reasons = {f["reason"] for f in data["findings"]}
    assert {f["status"] for f in data["findings"]} == {"UNKNOWN"}
    assert all(
        "cannot assume role" in r and "Credentials.SecretAccessKey: expected a string" in r
        for r in reasons
    ), reasons
    notices = [n for n in data["notices"] if broken in n]
    assert notices and all("\n" not in n for n in notices)
    assert "Traceback" not in captured.err
