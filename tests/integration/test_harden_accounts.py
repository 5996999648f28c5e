"""``harden --accounts`` / ``undo`` across accounts, end to end on a simulated organization in
the emulator: a role assumed per account, one account's role denied while the others are
hardened (exit 1), the account and role journaled, undo reassuming each account's role, and a
dry run that makes no mutating call in any account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.emulator.org_fleet import member_credentials, seed_org
from dynaguard.emulator.proxy import Fault, FaultProxy
from dynaguard.remediation.accounts import harden_accounts
from dynaguard.remediation.journal import DONE, load_runs
from dynaguard.remediation.steps import Timing
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org import AccountSelection
from dynaguard.sources.aws.recorder import CallRecorder
from tests.integration.conftest import offline_emulator
from tests.integration.test_org_scan import Org

ROLE = "dynaguard-harden"
REGION = "us-east-1"
TABLE = "org-001"  # seeded without deletion protection in every account (org-000 has it)
READS = ("Describe", "List", "Get")


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    with offline_emulator() as emulator:
        manifest = seed_org(emulator.endpoint_url, members=3, regions=(REGION,))
        yield Org(emulator, manifest)


def _ddb(org: Org, account: str):  # type: ignore[no-untyped-def]
    creds = {} if account == org.manifest.management else member_credentials(org.url, account)
    return boto3.client("dynamodb", region_name=REGION, endpoint_url=org.url, **creds)


def protected(org: Org, account: str) -> bool:
    table = _ddb(org, account).describe_table(TableName=TABLE)["Table"]
    return bool(table["DeletionProtectionEnabled"])


@pytest.fixture(autouse=True)
def unprotected(org: Org) -> None:
    """Every test starts with TABLE unprotected in every account."""
    for account in org.manifest.accounts:
        _ddb(org, account).update_table(TableName=TABLE, DeletionProtectionEnabled=False)


def harden(org: Org, state: Path, accounts: list[str], *extra: str, url: str | None = None) -> int:
    return run(
        [
            "harden",
            "--endpoint-url",
            url or org.url,
            "--region",
            REGION,
            "--only",
            "DDB.003",
            "--accounts",
            ",".join(accounts),
            "--role-name",
            ROLE,
            "--state-dir",
            str(state),
            "--poll-interval",
            "0.01",
            *extra,
        ]
    )


def undo(org: Org, state: Path, run_id: str, *extra: str, url: str | None = None) -> int:
    return run(
        [
            "undo",
            run_id,
            "--yes",
            "--allow-unprotect",
            "--endpoint-url",
            url or org.url,
            "--state-dir",
            str(state),
            "--poll-interval",
            "0.01",
            *extra,
        ]
    )


def deny_role(account: str) -> Fault:
    return Fault("AssumeRole", "deny", body_contains=account)


def test_two_accounts_are_hardened_journaled_and_undone(org: Org, tmp_path, capsys) -> None:
    mine, member = org.manifest.management, org.manifest.members[0]
    code = harden(org, tmp_path, [mine, member], "--yes", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert protected(org, mine) and protected(org, member)
    member_role = f"arn:aws:iam::{member}:role/{ROLE}"
    roles = {a["account_id"]: a["role_arn"] for a in data["accounts"]}
    assert roles == {mine: None, member: member_role}  # the caller's own: its credentials
    assert data["summary"]["applied"] == 2
    runs = load_runs(tmp_path, data["run_id"])
    journaled = {r.account_id: (r.role_arn, r.batch, r.count(DONE)) for r in runs}
    assert journaled == {mine: (None, data["run_id"], 1), member: (member_role, data["run_id"], 1)}

    assert undo(org, tmp_path, data["run_id"]) == 0
    capsys.readouterr()
    assert not protected(org, mine) and not protected(org, member)


def test_a_denied_role_leaves_the_others_hardened_and_exits_1(org: Org, tmp_path, capsys) -> None:
    first, denied, third = org.manifest.members
    with FaultProxy(org.url, faults=[deny_role(denied)]) as url:
        code = harden(org, tmp_path, [first, denied, third], "--yes", "--no-color", url=url)
    out = capsys.readouterr().out
    assert code == 1
    assert protected(org, first) and protected(org, third)
    assert not protected(org, denied)
    assert f"cannot assume role arn:aws:iam::{denied}:role/{ROLE}" in out
    assert "AccessDenied" in out
    assert "summary: 3 account(s) (1 could not be read): 2 planned, 2 applied" in out
    journals = sorted(p.stem for p in (tmp_path / "runs").glob("*.jsonl"))
    assert len(journals) == 2 and not any(denied in j for j in journals)


def test_dry_run_makes_no_mutating_call_in_any_account(org: Org, tmp_path) -> None:
    accounts = (org.manifest.management, *org.manifest.members[:2])
    recorder = CallRecorder()
    result = harden_accounts(
        AwsOptions(regions=(REGION,), endpoint_url=org.url, role_name=ROLE),
        AccountSelection(accounts=accounts, role_name=ROLE),
        only=["DDB.003"],
        dry_run=True,
        state_dir=tmp_path,
        recorder=recorder,
        timing=Timing(poll_s=0.01, retry_base_s=0.01),
    )
    assert result.dry_run and result.exit_code == 0
    assert [a.account_id for a in result.accounts] == sorted(accounts)
    for account in result.accounts:
        assert account.result is not None
        assert [c.resource.name for c in account.result.plan.changes] == [TABLE]
    acting = {a for a in recorder.actions() if not a.startswith("sts:")}
    assert {a for a in acting if not a.split(":")[1].startswith(READS)} == set()
    assert recorder.count("sts:AssumeRole") == 2  # the caller's own account needs no role
    assert not any(protected(org, a) for a in accounts)
    assert not (tmp_path / "runs").exists()
    policy = resources.files("dynaguard.policies").joinpath("harden-policy.json").read_text()
    allowed = {
        a for st in json.loads(policy)["Statement"] if st["Effect"] == "Allow" for a in st["Action"]
    }
    assert "sts:AssumeRole" in recorder.actions() <= allowed
    assert not any(a.startswith("organizations:") for a in recorder.actions())


def test_undo_reassumes_each_role_and_a_denied_one_is_one_line_exit_1(
    org: Org, tmp_path, capsys
) -> None:
    first, second = org.manifest.members[:2]
    assert harden(org, tmp_path, [first, second], "--yes", "--format", "json") == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    with FaultProxy(org.url, faults=[deny_role(second)]) as url:
        code = undo(org, tmp_path, run_id, url=url)
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    line = [x for x in err.splitlines() if second in x]
    assert len(line) == 1 and "cannot assume role" in line[0] and "not restored" in line[0]
    assert not protected(org, first) and protected(org, second)

    # once the role can be assumed again, undo finishes the job (the first account is done)
    assert undo(org, tmp_path, run_id, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    by_account = {a["account_id"]: a for a in data["accounts"]}
    assert by_account[first]["results"] == [] and by_account[first]["already_undone"]
    assert [r["status"] for r in by_account[second]["results"]] == ["applied"]
    assert not protected(org, second)


def test_undo_of_one_account_and_an_account_the_run_did_not_change(
    org: Org, tmp_path, capsys
) -> None:
    first, second = org.manifest.members[:2]
    assert harden(org, tmp_path, [first, second], "--yes", "--format", "json") == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert undo(org, tmp_path, run_id, "--accounts", org.manifest.members[2]) == 2
    assert "changed none of the accounts" in capsys.readouterr().err
    assert undo(org, tmp_path, run_id, "--accounts", first) == 0
    assert not protected(org, first) and protected(org, second)
    assert undo(org, tmp_path, f"{run_id}-{second}") == 0  # one account's own run id
    assert not protected(org, second)


@pytest.mark.parametrize("flag", [["--org"], ["--ou", "ou-ab12-cdef3456", "--org"]])
def test_harden_refuses_a_whole_organization(org: Org, tmp_path, capsys, flag) -> None:
    """Only accounts named one by one are hardened (issue 12: no harden --org this round)."""
    code = run(
        [
            "harden",
            "--endpoint-url",
            org.url,
            "--region",
            REGION,
            "--only",
            "DDB.003",
            *flag,
            "--role-name",
            ROLE,
            "--state-dir",
            str(tmp_path),
            "--yes",
        ]
    )
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "no --org / --ou" in lines[0], err
    assert not any(protected(org, a) for a in org.manifest.accounts)
    assert not list(tmp_path.glob("runs/*.jsonl"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "12345", "--role-name", "r"], "not a 12-digit account id"),
        (["--role-name", "r"], "--role-name is used with --org or --accounts"),
        (["--accounts", "111122223333", "--role-name", "bad name!"], "not an IAM role name"),
        (["--ou", "ou-ab12-cdef3456", "--role-name", "r"], "no --org / --ou"),
        (["--exclude-accounts", "111122223333"], "needs --org or --accounts"),
    ],
)
def test_bad_account_options_are_one_line_exit_2(org: Org, tmp_path, capsys, args, message):
    code = run(["harden", "--endpoint-url", org.url, "--region", REGION, "--yes", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err
