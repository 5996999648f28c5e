"""Timing model: the wall time of an organization scan, predicted from measured figures.

    .venv/bin/python bench/timing_model.py                      # 100,000 tables, 1,000 x 17
    .venv/bin/python bench/timing_model.py --tables 100000 --accounts 1000 --regions 17 \\
        --nonempty-regions 2 --latency-ms 30 --concurrency 32 --cores 2

Measured here, on this machine (no emulator): the client CPU of one request through dynaguard's
reader (botocore serialises, signs, sends to a stub HTTP server in another process, parses; the
breaker, pacing and call recorder included), the CPU of creating a client per service (one per
account, region and service read), the CPU per table of evaluation + spool + JSON (the synthetic
inventory of bench/org_memory.py), and a worker process's start-up. Read from ``--figures``
(written by bench/org_bench.py against the emulator): requests per table, per non-empty and per
empty region, per account.

The model, for A accounts, U = A x regions units (Un holding tables, Ue empty), T tables, latency
L, C threads per process, P processes, K cores:

    requests  = T*r_table + Un*r_region + Ue*r_empty + A*r_account*P   (each process opens the
                accounts it holds units of: AssumeRole + ListRegions, about all of them)
    cpu       = requests*c_request + T*c_table + clients*c_client + P*c_start
    io        = requests * L / (P * C)                       (reads in flight, latency-bound)
    wall      = max(io, cpu / min(P, K)) + start-up          (whichever bounds it)

Per shard count S (S machines of K cores, P = K each): each shard has 1/S of the units but opens
(nearly) every account. The first section checks the model against the org benchmark's own runs
(latency calibrated on its one-account run, since moto adds its own service time).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_TABLE = {
    "dynamodb:DescribeTable",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTagsOfResource",
    "dynamodb:GetResourcePolicy",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
}
PER_ACCOUNT_PREFIX = ("sts:AssumeRole", "account:", "iam:", "organizations:", "ec2:DescribeRegions")
# Clients a unit needs: a region with tables reads every service, an empty one only these.
CLIENTS_NONEMPTY = ("dynamodb", "application-autoscaling", "backup", "dax", "ec2")
CLIENTS_EMPTY = ("dynamodb", "dax", "ec2")
CLIENTS_ACCOUNT = ("account", "iam")

STUB_SERVER = textwrap.dedent(
    """
    import json, socket, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    BODY = json.dumps({"Table": {"TableName": "t", "TableStatus": "ACTIVE",
        "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}, "ItemCount": 0,
        "TableSizeBytes": 0, "DeletionProtectionEnabled": False,
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0,
                                  "NumberOfDecreasesToday": 0},
        "CreationDateTime": 1700000000.0}}).encode()
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        def log_message(self, *a): pass
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """
)


@dataclass(frozen=True)
class Params:
    c_request: float  # client CPU s per request
    c_client: dict[str, float]  # CPU s to create a client, per service
    c_table: float  # CPU s per table: evaluate + spool + JSON
    c_start: float  # CPU s to start a worker process (imports)
    r_table: float  # requests per table
    r_region: float  # requests per region with tables (region-wide reads)
    r_empty: float  # requests per empty region
    r_account: float  # requests per account per process (assume, regions, IAM)


def measure_request_cpu(n: int = 1500, threads: int = 16) -> float:
    """Client CPU per DescribeTable through RegionReader.call, against a stub server."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    from dynaguard.sources.aws.breaker import BreakerBoard
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.reader import RegionReader
    from dynaguard.sources.aws.recorder import CallRecorder
    from dynaguard.sources.aws.session import AwsSession

    stub = subprocess.Popen([sys.executable, "-c", STUB_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert stub.stdout is not None
        port = int(stub.stdout.readline())
        options = AwsOptions(
            regions=("us-east-1",), endpoint_url=f"http://127.0.0.1:{port}", concurrency=threads
        )
        reader = RegionReader(
            AwsSession(options, "model", CallRecorder()), BreakerBoard(), "1", "us-east-1"
        )
        for _ in range(50):  # warm: client, connections
            reader.call("dynamodb", "DescribeTable", TableName="t")
        started = time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: reader.call("dynamodb", "DescribeTable", TableName="t"),
                          range(n)))  # fmt: skip
        return (time.process_time() - started) / n
    finally:
        stub.kill()
        stub.wait()


def measure_client_cpu() -> dict[str, float]:
    """CPU to create one client per service from a warm boto3 session (as MemberSession does)."""
    import boto3

    session = boto3.session.Session(region_name="us-east-1")
    services = sorted({*CLIENTS_NONEMPTY, *CLIENTS_ACCOUNT, "kms", "sts"})
    out = {}
    for service in services:
        session.client(service, aws_access_key_id="a", aws_secret_access_key="b")
        started = time.process_time()
        for region in ("us-east-1", "eu-west-1", "ap-south-1", "sa-east-1") * 3:
            session.client(
                service, region_name=region, aws_access_key_id="a", aws_secret_access_key="b"
            )
        out[service] = (time.process_time() - started) / 12
    return out


def measure_table_cpu(tables: int = 2000) -> float:
    sys.path.insert(0, str(ROOT / "bench"))
    import org_memory

    return float(org_memory.run_one(tables, "streamed")["cpu_s"]) / tables


def measure_start_cpu() -> float:
    code = "import dynaguard.fleet_workers, dynaguard.fleet_scan, boto3, botocore.session"
    started = time.perf_counter()
    before = os.times()
    subprocess.run([sys.executable, "-c", code], check=True)
    after = os.times()
    del started
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def request_mix(figures: dict[str, Any]) -> dict[str, float]:
    """Requests per table / region / empty region / account, from the org benchmark's runs."""
    runs = figures["runs"]
    two = next(r for name, r in runs.items() if name.startswith("org, 1 process"))
    per_table = sum(n for a, n in two["calls"].items() if a in PER_TABLE)
    per_account = sum(n for a, n in two["calls"].items() if a.startswith(PER_ACCOUNT_PREFIX))
    regional = two["calls_total"] - per_table - per_account
    regional_units = two["units"] - two["accounts"]  # minus each account's global unit
    mix = {
        "r_table": per_table / two["tables"],
        "r_region": regional / regional_units,
        "r_account": per_account / two["accounts"],
    }
    everywhere = [r for name, r in runs.items() if name.startswith("org all regions")]
    if everywhere:
        allr = everywhere[0]
        per_acct_all = sum(n for a, n in allr["calls"].items() if a.startswith(PER_ACCOUNT_PREFIX))
        extra_calls = (allr["calls_total"] - per_acct_all) - (two["calls_total"] - per_account)
        mix["r_empty"] = extra_calls / (allr["units"] - two["units"])
    else:
        mix["r_empty"] = 4.0  # the documented rule: ListTables, DAX, VPCs, VPC endpoints
    return mix


@dataclass(frozen=True)
class Scenario:
    tables: int
    accounts: int
    regions: int
    nonempty: int  # regions per account holding tables
    latency_s: float
    concurrency: int
    processes: int
    cores: int
    shards: int = 1


def predict(p: Params, s: Scenario) -> dict[str, float]:
    """Wall seconds of one shard (the slowest: shards are balanced) and what bounds it."""
    units = s.accounts * s.regions / s.shards
    full = s.accounts * min(s.nonempty, s.regions) / s.shards
    empty = units - full
    tables = s.tables / s.shards
    opened = s.accounts * s.processes  # each process opens (about) every account it holds
    requests = tables * p.r_table + full * p.r_region + empty * p.r_empty + opened * p.r_account
    clients = (
        full * sum(p.c_client[c] for c in CLIENTS_NONEMPTY)
        + empty * sum(p.c_client[c] for c in CLIENTS_EMPTY)
        + opened * sum(p.c_client[c] for c in CLIENTS_ACCOUNT)
    )
    cpu = {
        "requests": requests * p.c_request,
        "clients": clients,
        "evaluation": tables * p.c_table,
        "start-up": s.processes * p.c_start,
    }
    cpu_total = sum(cpu.values())
    io = requests * s.latency_s / (s.processes * s.concurrency)
    cpu_wall = cpu_total / min(s.processes, s.cores)
    listing = math.ceil(s.accounts / 20) * s.latency_s  # ListAccounts pages, one after another
    return {
        "wall_s": max(io, cpu_wall) + p.c_start + listing,
        "io_s": io,
        "cpu_wall_s": cpu_wall,
        "requests": requests,
        **{f"cpu_{k}_s": v for k, v in cpu.items()},
    }


def bound_by(r: dict[str, float]) -> str:
    if r["io_s"] >= r["cpu_wall_s"]:
        return "latency x requests / threads in flight"
    parts = {k[4:-2]: v for k, v in r.items() if k.startswith("cpu_") and k != "cpu_wall_s"}
    top = max(parts, key=lambda k: parts[k])
    return f"client CPU ({top} {100 * parts[top] / sum(parts.values()):.0f}%)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--figures", default=str(ROOT / "bench" / "org_figures.json"))
    p.add_argument("--tables", type=int, default=100_000)
    p.add_argument("--accounts", type=int, default=1_000)
    p.add_argument("--regions", type=int, default=17)
    p.add_argument("--nonempty-regions", type=int, default=2)
    p.add_argument("--latency-ms", type=float, default=30.0)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--cores", type=int, default=2)
    args = p.parse_args()
    figures = json.loads(Path(args.figures).read_text())
    mix = request_mix(figures)
    params = Params(
        c_request=measure_request_cpu(),
        c_client=measure_client_cpu(),
        c_table=measure_table_cpu(),
        c_start=measure_start_cpu(),
        **mix,
    )
    print("measured parameters (this machine, now):")
    print(f"  client CPU per request      {1000 * params.c_request:7.2f} ms")
    for service, cost in params.c_client.items():
        print(f"  client creation {service:<23} {1000 * cost:7.2f} ms")
    print(f"  CPU per table (eval+spool)  {1000 * params.c_table:7.2f} ms")
    print(f"  worker process start-up    {1000 * params.c_start:7.0f} ms CPU")
    print(f"  requests per table          {params.r_table:7.2f}   (org benchmark)")
    print(f"  requests per table region   {params.r_region:7.2f}")
    print(f"  requests per empty region   {params.r_empty:7.2f}")
    print(f"  requests per account        {params.r_account:7.2f}   (per process holding it)")
    factor = validate(params, figures)
    print(
        f"\nprediction: {args.tables:,} tables, {args.accounts:,} accounts x {args.regions} "
        f"regions ({args.nonempty_regions} with tables each), latency {args.latency_ms:g} ms, "
        f"{args.concurrency} threads per process, {args.cores} cores per machine\n"
    )
    print(
        "| machines | processes each | requests/machine | wall min | wall min, CPU x"
        f"{factor:.2f} (calibrated on the benchmark) | bound by |"
    )
    print("|---|---|---|---|---|---|")
    for shards, procs in [(1, 1), (1, args.cores), (2, args.cores), (4, args.cores),
                          (8, args.cores), (16, args.cores), (32, args.cores)]:  # fmt: skip
        s = Scenario(
            args.tables,
            args.accounts,
            args.regions,
            args.nonempty_regions,
            args.latency_ms / 1000,
            args.concurrency,
            procs,
            args.cores,
            shards,
        )
        r = predict(params, s)
        calibrated = (
            max(r["io_s"], r["cpu_wall_s"] * factor) + r["wall_s"] - max(r["io_s"], r["cpu_wall_s"])
        )
        print(
            f"| {shards} | {procs} | {r['requests']:,.0f} | {r['wall_s'] / 60:.1f} | "
            f"{calibrated / 60:.1f} | {bound_by(r)} |"
        )


def validate(params: Params, figures: dict[str, Any]) -> float:
    """The model against the org benchmark's runs; latency calibrated on its one-account run
    (moto's own service time comes on top of the proxy's delay)."""
    runs = figures["runs"]
    single = next(r for name, r in runs.items() if name.startswith("single"))
    c = figures["concurrency"]
    latency = single["wall_s"] * c / single["calls_total"]
    print(
        f"\ncheck against bench/org_benchmark runs (effective latency {1000 * latency:.0f} ms "
        f"from the one-account run, {figures['cores']} cores, measured under load):"
    )
    print("| run | predicted s | measured s | predicted CPU s | measured CPU s |")
    print("|---|---|---|---|---|")
    ratios = []
    for name, r in runs.items():
        if name.startswith("single"):
            continue
        procs = int(name.split(",")[1].split()[0])
        regions = r["units"] // r["accounts"] - 1
        s = Scenario(r["tables"], r["accounts"], regions, 2, latency, c, procs, figures["cores"])
        pred = predict(params, s)
        cpu = sum(v for k, v in pred.items() if k.startswith("cpu_") and k != "cpu_wall_s")
        print(
            f"| {name} | {pred['wall_s']:.1f} | {r['wall_s']:.1f} | {cpu:.1f} | {r['cpu_s']:.1f} |"
        )
        ratios.append(r["cpu_s"] / cpu)
    # measured / modelled client CPU: what the parts miss (thread switching, the scheduler,
    # pacing, logging), applied to the prediction below as the pessimistic column
    return max(1.0, max(ratios, default=1.0))


if __name__ == "__main__":
    main()
