"""The cost of making the botocore clients of a multi-account scan: one client per (account,
region, service), as ``scan --org --all-regions`` makes them.

    .venv/bin/python bench/client_bench.py [--accounts 2] [--runs 3]
    .venv/bin/python bench/client_bench.py --scan [--members 2] [--runs 2]

Three ways, interleaved run by run (a load change on a shared machine weighs on all), each in
this process, the clients made but never called; the shared sessions have their service models
loaded before timing (the first client of each service):

  session per account   a boto3 session per account, timed with its creation (its own loader:
                        the service models and endpoint data are read again per account)
  shared session        one boto3 session, credentials per client (MemberSession on main)
  shared classes        the same, with client_classes.share_client_classes (this change)

Prints a table: median CPU milliseconds per client (process time, less sensitive to other
processes than wall time) and the ratio to "session per account" measured in the same run.

``--scan``: the whole ``dynaguard scan --org --all-regions --workers 1`` (one table per
member and region in us-east-1, every service warmed up in the emulator first), each run in its
own process as in org_bench.py, with and without the shared classes (a ``sitecustomize`` that
turns ``share_client_classes`` into a no-op: the code before), interleaved; median CPU and wall
seconds of the scan process, ratio to "without".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

from dynaguard.sources.aws.client_classes import share_client_classes

# the 17 regions enabled by default, and the services a full scan makes clients of per region
REGIONS = (
    *("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1"),
    *("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1"),
    *("ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2"),
)
SERVICES = ("dynamodb", "dax", "ec2", "application-autoscaling", "backup", "cloudwatch", "kms")
CONFIG = Config(max_pool_connections=32)
ENDPOINT = "http://127.0.0.1:9"  # never called


def _warm(session: boto3.Session) -> boto3.Session:
    for service in SERVICES:
        session.client(service, region_name="us-east-1", endpoint_url=ENDPOINT)
    return session


def _clients(session: boto3.Session, account: int) -> None:
    for region in REGIONS:
        for service in SERVICES:
            session.client(
                service,
                region_name=region,
                endpoint_url=ENDPOINT,
                config=CONFIG,
                aws_access_key_id=f"AKIA{account:016d}",
                aws_secret_access_key="secret",
                aws_session_token="token",
            )


def per_account(accounts: int) -> Callable[[], None]:
    def make() -> None:  # each account's session loads the service models again
        for account in range(accounts):
            _clients(boto3.Session(), account)

    return make


def shared(accounts: int, classes: bool) -> Callable[[], None]:
    session = _warm(share_client_classes(boto3.Session()) if classes else boto3.Session())

    def make() -> None:
        for account in range(accounts):
            _clients(session, account)

    return make


WITHOUT = """# client_bench.py --scan: the scan without shared client classes (the code before)
import dynaguard.sources.aws.client_classes as classes
import dynaguard.sources.aws.session as session
classes.share_client_classes = session.share_client_classes = lambda boto_session: boto_session
"""


def scan_comparison(members: int, runs: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import org_bench
    from dynaguard.emulator.org_fleet import seed_org

    tmp = Path(tempfile.mkdtemp(prefix="dynaguard-client-bench-"))
    (tmp / "without").mkdir()
    (tmp / "without" / "sitecustomize.py").write_text(WITHOUT)
    server, url = org_bench.start_emulator()
    try:
        manifest = seed_org(url, members, ("us-east-1",), tables_per_unit=1)
        org_bench.warm_up(url, manifest.accounts, org_bench.enabled_regions(url))
        print("seeded and warmed up", file=sys.stderr, flush=True)
        args = ["--org", "--role-name", "dynaguard-audit", "--all-regions", "--workers", "1"]
        results: dict[str, list[dict[str, float]]] = {"without": [], "with shared classes": []}
        for _ in range(runs):
            for name, done in results.items():
                org_bench.ENV.pop("PYTHONPATH", None)
                if name == "without":
                    org_bench.ENV["PYTHONPATH"] = str(tmp / "without")
                done.append(org_bench.scan(url, args, tmp))
                print(f"  {name}: {done[-1]['cpu_s']:.2f} CPU s", file=sys.stderr, flush=True)
        units = results["without"][0]["units"]
        print(f"scan --org --all-regions: {len(manifest.accounts)} accounts, {units} units")
        print(f"{'way':<22} {'CPU s':>7} {'wall s':>7} {'CPU vs without':>15}")
        base = statistics.median(r["cpu_s"] for r in results["without"])
        for name, rs in results.items():
            cpu = statistics.median(r["cpu_s"] for r in rs)
            wall = statistics.median(r["wall_s"] for r in rs)
            print(f"{name:<22} {cpu:>7.2f} {wall:>7.2f} {base / cpu:>14.2f}x")
    finally:
        server.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--accounts", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--scan", action="store_true", help="time a whole org scan instead")
    p.add_argument("--members", type=int, default=2, help="with --scan: member accounts")
    args = p.parse_args()
    if args.scan:
        scan_comparison(args.members, args.runs)
        return
    ways = {
        "session per account": lambda: per_account(args.accounts),
        "shared session": lambda: shared(args.accounts, classes=False),
        "shared classes": lambda: shared(args.accounts, classes=True),
    }
    clients = args.accounts * len(REGIONS) * len(SERVICES)
    ms: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.runs):
        for name, setup in ways.items():
            make = setup()  # sessions and warm-up outside the timing
            start = time.process_time()
            make()
            ms[name].append(1000 * (time.process_time() - start) / clients)
    base = statistics.median(ms["session per account"])
    print(f"{clients} clients per way and run ({args.accounts} accounts x 17 regions x 7 services)")
    print(f"{'way':<22} {'median ms/client':>16} {'best':>8} {'vs per account':>15}")
    for name, values in ms.items():
        median = statistics.median(values)
        print(f"{name:<22} {median:>16.2f} {min(values):>8.2f} {base / median:>14.2f}x")


if __name__ == "__main__":
    main()
