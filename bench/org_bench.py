"""Benchmark: an organization scan against a one-account scan of the same number of tables.

    .venv/bin/python bench/org_bench.py                 # 20 members + management, 2 regions
    .venv/bin/python bench/org_bench.py --members 20 --tables-per-unit 24 --latency-ms 30

The patched emulator runs in its own process; a simulated organization is seeded in it
(members x regions x tables, created through each member's assumed role), plus the same number
of tables in one region of one account outside it (reached through an assumed role too, as
moto answers temporary credentials more slowly than its default key). Every scan runs in its
own process, behind the loopback proxy that adds ``--latency-ms`` to each request (AWS is
latency-bound, moto is CPU-bound), with the same ``--concurrency``:

  single         dynaguard scan --role-arn R --region us-east-1 --prefix single-
  org, 1 process dynaguard scan --org --role-name R --region A --region B --prefix org- --workers 1
  org, W procs   the same with --workers W (all cores)
  org, all regs  --all-regions instead of the two regions: 17 regions per account, 15 empty

Prints a table (tables/s and the ratio to the single-account scan, API calls, client CPU
seconds of the scan process and its workers, peak RSS) and writes the measured figures to
``--figures`` (default bench/org_figures.json) for bench/timing_model.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from dynaguard.emulator.org_fleet import seed_org
from dynaguard.emulator.proxy import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    ENV.pop(var, None)
REGIONS = ("us-east-1", "eu-west-1")

# Runs the CLI in this process and reports its peak RSS and the CPU of it and its children.
WRAPPER = (
    "import resource, runpy, sys;"
    "sys.argv = ['dynaguard'] + sys.argv[1:];"
    "code = 0\n"
    "try:\n    runpy.run_module('dynaguard.cli.main', run_name='__main__')\n"
    "except SystemExit as e:\n    code = e.code or 0\n"
    "me = resource.getrusage(resource.RUSAGE_SELF)\n"
    "kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    # ru_maxrss survives exec (it would be the benchmark's own peak): VmHWM is this process's
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "sys.stderr.write('BENCH %s %.3f %d %.3f\\n' % (hwm, me.ru_utime + me.ru_stime,"
    " 0, kids.ru_utime + kids.ru_stime))\n"
    "sys.exit(code)"
)


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.emulator.serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit("the emulator did not start")
    return proc, url


def enabled_regions(url: str) -> tuple[str, ...]:
    account = boto3.session.Session().client(
        "account",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pages = account.get_paginator("list_regions").paginate(
        RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"]
    )
    return tuple(r["RegionName"] for page in pages for r in page["Regions"])


# The one-account baseline lives in an account outside the organization, reached through an
# assumed role like the members: moto resolves temporary credentials more slowly than its
# default key, and the comparison must not be about the emulator.
SINGLE_ACCOUNT = "999999999999"


def seed_single(url: str, n: int) -> None:
    from dynaguard.emulator.org_fleet import member_credentials

    ddb = boto3.session.Session().client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=url,
        config=Config(max_pool_connections=16),
        **member_credentials(url, SINGLE_ACCOUNT),
    )

    def create(i: int) -> None:
        ddb.create_table(
            TableName=f"single-{i:05d}",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            DeletionProtectionEnabled=i % 2 == 0,
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(n)))


def warm_up(url: str, accounts: tuple[str, ...], regions: tuple[str, ...]) -> None:
    """Touch every service a scan reads in every (account, region) once, unmeasured: moto
    builds a backend (default VPC, AMI catalogue, ...) on the first call in each account and
    region, which would otherwise be billed to whichever scan comes first."""
    from dynaguard.emulator.org_fleet import MANAGEMENT_ACCOUNT, member_credentials

    def touch(unit: tuple[str, str]) -> None:
        account, region = unit
        creds = {} if account == MANAGEMENT_ACCOUNT else member_credentials(url, account)
        keys = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

        def client(service: str) -> Any:
            return boto3.session.Session().client(
                service, region_name=region, endpoint_url=url, **keys
            )

        client("ec2").describe_vpcs()
        client("ec2").describe_vpc_endpoints()
        client("dax").describe_clusters()
        client("backup").list_backup_plans()
        client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")
        client("dynamodb").list_tables()
        if region == "us-east-1":
            client("iam").get_account_authorization_details()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(touch, [(a, r) for a in accounts for r in regions]))


def scan(url: str, args: list[str], tmp: Path) -> dict[str, Any]:
    """One scan in its own process; its report's stats plus wall time, CPU and RSS."""
    out = tmp / "report.json"
    cmd = [sys.executable, "-c", WRAPPER, "scan", "--endpoint-url", url, *args]
    cmd += ["--format", "json", "--output", str(out), "--no-history"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-800:]}")
    line = next(x for x in proc.stderr.splitlines() if x.startswith("BENCH "))
    rss, cpu, _, kid_cpu = line.split()[1:]
    stats = json.loads(out.read_text())["stats"]
    return {
        "wall_s": wall,
        "cpu_s": float(cpu) + float(kid_cpu),
        "rss_mb": int(rss) / 1024,  # the main process (workers: see org_memory.py)
        "tables": stats["tables"],
        "units": stats["units"],
        "accounts": stats["accounts"],
        "calls": stats["api_calls"],
        "calls_total": stats["api_calls_total"],
        "exit": proc.returncode,
    }


def row(name: str, r: dict[str, Any], base: dict[str, Any] | None) -> str:
    tps = r["tables"] / r["wall_s"]
    ratio = f"{(base['tables'] / base['wall_s']) / tps:5.2f}x" if base else "  -  "
    return (
        f"| {name:<26} | {r['accounts']:>4} | {r['units']:>5} | {r['tables']:>6} | "
        f"{r['wall_s']:>7.2f} | {tps:>7.1f} | {ratio} | {r['calls_total']:>6} | "
        f"{r['calls_total'] / max(1, r['tables']):>5.2f} | {r['cpu_s']:>6.1f} | "
        f"{r['rss_mb']:>5.0f} |"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=20)
    p.add_argument("--tables-per-unit", type=int, default=24)
    p.add_argument("--latency-ms", type=float, default=30.0)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    p.add_argument("--repeat", type=int, default=1, help="runs of each scan (median kept)")
    p.add_argument("--no-all-regions", action="store_true", help="skip the 17-region run")
    p.add_argument("--figures", default=str(ROOT / "bench" / "org_figures.json"))
    args = p.parse_args()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"dynaguard-org-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    server, url = start_emulator()
    try:
        t0 = time.perf_counter()
        manifest = seed_org(url, args.members, REGIONS, args.tables_per_unit)
        total = manifest.table_count()
        seed_single(url, total)
        all_regions = () if args.no_all_regions else enabled_regions(url)
        warm_up(
            url, (*manifest.accounts, SINGLE_ACCOUNT), tuple(dict.fromkeys(REGIONS + all_regions))
        )
        print(
            f"seeded {len(manifest.accounts)} accounts x {len(REGIONS)} regions x "
            f"{args.tables_per_unit} tables = {total}, and {total} tables in one account, "
            f"in {time.perf_counter() - t0:.0f} s; latency {args.latency_ms:g} ms, "
            f"concurrency {args.concurrency}\n"
        )
        common = ["--concurrency", str(args.concurrency)]
        org = ["--org", "--role-name", "dynaguard-audit", "--prefix", "org-", *common]
        two = [a for r in REGIONS for a in ("--region", r)]
        runs = {
            "single account, 1 region": [
                "--role-arn",
                f"arn:aws:iam::{SINGLE_ACCOUNT}:role/dynaguard-audit",
                "--region",
                "us-east-1",
                "--prefix",
                "single-",
                *common,
            ],
            "org, 1 process": [*org, *two, "--workers", "1"],
            f"org, {args.workers} processes": [*org, *two, "--workers", str(args.workers)],
        }
        if not args.no_all_regions:
            runs[f"org all regions, {args.workers} procs"] = [
                *org,
                "--all-regions",
                "--workers",
                str(args.workers),
            ]
        header = (
            "| run                        | accts | units | tables |  wall s | tbl/s | vs single"
            " |  calls | c/tbl |  CPU s | RSS MB |"
        )
        print(header)
        print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
        results: dict[str, dict[str, Any]] = {}
        with FaultProxy(url, delay_ms=args.latency_ms) as slow:
            for name, run_args in runs.items():
                tries = [scan(slow, run_args, tmp) for _ in range(args.repeat)]
                results[name] = sorted(tries, key=lambda r: r["wall_s"])[len(tries) // 2]
                base = results.get("single account, 1 region")
                shown = None if name.startswith("single") else base
                print(row(name, results[name], shown), flush=True)
        figures = {
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "cores": os.cpu_count(),
            "runs": results,
        }
        Path(args.figures).write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        print(f"\nfigures written to {args.figures} (input of bench/timing_model.py)")
        print("vs single: the one-account scan's tables/s divided by this run's (1.00x: as fast)")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
