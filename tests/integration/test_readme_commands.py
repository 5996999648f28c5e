"""Every ``dynaguard`` command shown in the README runs, against the emulator, with the exit
code the README documents for it. The commands are read from the README's code blocks, so the
two cannot drift apart: a new command in the README fails here until it is listed below.

The runs share one working directory (code to scan, a schema, a config) and one state dir, in
README order; placeholders (RUN_ID, RUN_A, RUN_B) are filled from the runs before them.
Commands that ask for confirmation run without a terminal, as in CI: the README documents
exit 2 for that ("no terminal without --force / --yes").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FIXTURES = ROOT / "tests" / "iac" / "fixtures"

# command as written in the README -> exit code, and why (the README's exit-code tables)
EXPECTED = {
    # scan: 1 = failing findings (the demo fleet is built to fail controls)
    "dynaguard scan --region us-east-1 --region eu-west-1 --prefix sentinel-": 1,
    "dynaguard scan --all-regions --format json --output findings.json --fail-on high": 1,
    "dynaguard scan --table orders --table payments --controls DDB.002,DDB.003": 1,
    "dynaguard scan --role-arn arn:aws:iam::123456789012:role/audit --external-id audit-2026 "
    "--all-regions": 1,
    "dynaguard controls": 0,
    "dynaguard iac . --format sarif -o dynaguard.sarif": 1,  # failing code in the directory
    "dynaguard harden --prefix sentinel- --dry-run": 0,  # a plan, nothing changed
    "dynaguard runs": 0,
    "dynaguard undo RUN_ID": 2,  # asks; no terminal without --force
    "dynaguard provision --preset sessions --name sessions-prod --kms-key KEY_ARN": 2,  # asks
    "dynaguard provision schema.yaml --emit terraform --output table.tf": 0,
    "dynaguard demo": 0,
    "dynaguard demo --serve": 0,  # serves until Ctrl-C, then 0
    "dynaguard history": 0,
    "dynaguard history --format json": 0,
    "dynaguard diff": 0,
    "dynaguard diff RUN_A RUN_B --format json": 0,
    "dynaguard scan --region us-east-1 --since-last": 1,
    "dynaguard iac .": 1,
    "dynaguard iac infra/ stacks/orders.yaml": 1,
    "dynaguard iac infra/prod --var-file prod.tfvars": 1,
    "dynaguard iac . --format junit -o dynaguard.xml": 1,
    "dynaguard iac . --format json --fail-on high": 1,
    "dynaguard iac . --format sarif --output dynaguard.sarif --fail-on high": 1,
    "dynaguard harden --region us-east-1 --prefix sentinel- --config dynaguard.yaml": 2,  # asks
    # drill: 0 restored, verified and within targets (orders has PITR, in eu-west-1 too)
    "dynaguard drill orders --yes": 0,
    "dynaguard drill orders --region eu-west-1 --dry-run": 0,
    "dynaguard drill orders --region eu-west-1 --yes": 0,
    "dynaguard drill orders --at 2026-01-31T12:00:00Z --keep --yes": 2,  # before the table
    "dynaguard provision --preset approvals --name approvals-prod --region eu-west-1 "
    "--kms-key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab "
    "--tag owner=security --tag cost-center=cc-7": 2,  # asks; no terminal without --yes
    # Organizations: the demo emulator has no organization (or OU) to list
    "dynaguard scan --org --role-name dynaguard-audit --external-id audit-2026 --all-regions": 3,
    "dynaguard scan --org --ou ou-ab12-cdef3456 --role-name dynaguard-audit --region eu-west-1": 2,
    "dynaguard scan --org --exclude-accounts 111122223333 --role-name dynaguard-audit "
    "--all-regions": 3,
    # the emulator lets any account's role be assumed (moto checks no role); each account is
    # moto's default VPC without a DynamoDB endpoint: DDB.015 FAILs, as in a new AWS account
    "dynaguard scan --accounts 111122223333,444455556666 --role-name dynaguard-audit "
    "--region us-east-1": 1,
    "dynaguard scan --org --role-name dynaguard-audit --all-regions --shard 3/8 --format json "
    "--output s3://my-reports/dynaguard/2026-12-01/": 3,
    "dynaguard merge s3://my-reports/dynaguard/2026-12-01/ --format json --output merged.json": 3,
}


def readme_commands() -> list[str]:
    """``dynaguard`` command lines of the README's bash/console blocks and workflow ``run:``s,
    comments and ``$ `` prompts dropped, continuation lines joined, ``&&`` chains split."""
    text = README.read_text()
    found: list[str] = []
    for lang, block in re.findall(r"```(\w*)\n(.*?)```", text, re.S):
        if lang not in ("bash", "console", "yaml"):
            continue
        joined = re.sub(r"\\\n\s*", " ", block)
        for raw in joined.splitlines():
            line = raw.strip()
            line = line.removeprefix("$ ").removeprefix("- ").removeprefix("run: ").strip()
            if not line.startswith("dynaguard "):
                continue
            line = " ".join(re.sub(r"\s+#.*$", "", line).split())
            found += [part.strip() for part in line.split("&&")]
    return found


def test_every_readme_command_is_listed_with_its_exit_code():
    commands = readme_commands()
    assert len(commands) >= 20
    assert sorted(set(commands)) == sorted(EXPECTED), (
        f"README only: {sorted(set(commands) - set(EXPECTED))}; "
        f"listed only here: {sorted(set(EXPECTED) - set(commands))}"
    )


def _workdir(tmp: Path) -> Path:
    work = tmp / "work"
    (work / "infra" / "prod").mkdir(parents=True)
    (work / "stacks").mkdir()
    shutil.copy(FIXTURES / "terraform" / "fail" / "main.tf", work / "main.tf")
    shutil.copy(FIXTURES / "terraform" / "pass" / "main.tf", work / "infra" / "main.tf")
    shutil.copy(FIXTURES / "cloudformation" / "fail.yaml", work / "stacks" / "orders.yaml")
    (work / "infra" / "prod" / "main.tf").write_text(
        'variable "pitr" {\n  type = bool\n}\n'
        'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n'
        '  billing_mode = "PAY_PER_REQUEST"\n'
        '  attribute {\n    name = "id"\n    type = "S"\n  }\n'
        "  point_in_time_recovery {\n    enabled = var.pitr\n  }\n}\n"
    )
    (work / "prod.tfvars").write_text("pitr = false\n")
    (work / "schema.yaml").write_text(  # the README's example is annotated, not a file
        "table_name: orders\nregion: eu-west-1\nattributes: {customer_id: S, order_at: S}\n"
        "hash_key: customer_id\nrange_key: order_at\n"
    )
    (work / "dynaguard.yaml").write_text("baseline:\n  pitr_min_days: 35\n")
    return work


def _env(url: str, data_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        XDG_DATA_HOME=str(data_home),
    )
    return env


def _run(words: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", *words[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )


def _serve(words: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", *words[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    endpoint = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert endpoint.startswith("http://127.0.0.1:"), err
    return proc.returncode, err


def _json_out(words: list[str], cwd: Path, env: dict[str, str]) -> object:
    return json.loads(_run(words, cwd, env).stdout)


@pytest.fixture(scope="module")
def served_fleet(tmp_path_factory):
    """The README's own ``dynaguard demo --serve`` in its own process: the seeded emulator the
    commands run against (an all-regions scan makes moto raise in its server threads, which
    must not land in the test process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("serve-data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", "demo", "--serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    endpoint = proc.stdout.readline().strip()
    try:
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        yield endpoint
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


def test_every_readme_command_exits_as_documented(served_fleet, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    work = _workdir(tmp_path)
    env = _env(served_fleet, tmp_path / "data")
    ddb = boto3.client("dynamodb", endpoint_url=served_fleet, region_name="us-east-1")
    ddb.create_table(  # the README's second example table
        TableName="payments",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    key_arn = boto3.client("kms", endpoint_url=served_fleet, region_name="us-east-1").create_key()[
        "KeyMetadata"
    ]["Arn"]
    wrong: list[str] = []
    for command in dict.fromkeys(readme_commands()):
        words = command.split()
        if "RUN_ID" in words:  # a real harden run to undo: deletion protection on one table
            _run(
                ["dynaguard", "harden", "--table", "catalog", "--only", "DDB.003", "--yes"],
                work,
                env,
            )
            runs = _json_out(["dynaguard", "runs", "--format", "json"], work, env)
            words[words.index("RUN_ID")] = runs[0]["run_id"]  # type: ignore[index]
        if words[:2] == ["dynaguard", "diff"]:
            for _ in range(2):  # two runs of one scope to compare
                _run(
                    ["dynaguard", "scan", "--region", "us-east-1", "--controls", "DDB.003"],
                    work,
                    env,
                )
        if "RUN_A" in words:
            history = _json_out(["dynaguard", "history", "--format", "json"], work, env)
            words[words.index("RUN_A")] = history[1]["run_id"]  # type: ignore[index]
            words[words.index("RUN_B")] = history[0]["run_id"]  # type: ignore[index]
        words = [key_arn if w == "KEY_ARN" else w for w in words]
        if command == "dynaguard demo --serve":
            code, err = _serve(words, work, env)
        else:
            done = _run(words, work, env)
            code, err = done.returncode, done.stderr
        if code != EXPECTED[command] or "Traceback" in err:
            wrong.append(f"{command}: exit {code}, README says {EXPECTED[command]}\n{err[-800:]}")
    assert not wrong, "\n\n".join(wrong)
    assert json.loads((work / "findings.json").read_text())["source"] == "aws"
    assert (work / "table.tf").read_text().startswith(("#", "resource", "terraform"))
