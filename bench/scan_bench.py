"""Benchmark: dynaguard scan against the emulator server, beside the bare-boto3 floor.

    .venv/bin/python bench/scan_bench.py                 # 1000 tables, emulator + 30 ms latency
    .venv/bin/python bench/scan_bench.py --tables 200 --latency-ms 0

Seeds N tables into moto's server (a separate process on 127.0.0.1), then runs, each in its own
process so start-up and memory are counted: the floor (bench/floor.py: the 4 minimal per-table
calls, 32 threads), `dynaguard scan` at the chosen concurrency, and `dynaguard scan
--concurrency 1` as the baseline ratio. With --latency-ms, the same runs again through a loopback
proxy that delays every call, because real AWS is latency-bound where the emulator is CPU-bound.
Prints a table: tables/s, API calls per table, peak RSS, ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

from dynaguard.emulator.proxy import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    ENV.pop(var, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("moto server did not start")


def seed(url: str, n: int) -> None:
    ddb = boto3.session.Session(**{"region_name": "us-east-1"}).client(
        "dynamodb",
        endpoint_url=url,
        config=Config(max_pool_connections=16),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def create(i: int) -> None:
        kw: dict[str, object] = {
            "TableName": f"bench-{i:05d}",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "Tags": [{"Key": "owner", "Value": "bench"}],
        }
        if i % 3 == 0:
            kw["DeletionProtectionEnabled"] = True
        ddb.create_table(**kw)
        if i % 2 == 0:
            ddb.update_continuous_backups(
                TableName=f"bench-{i:05d}",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(create, range(n)))


def timed(cmd: list[str]) -> tuple[float, int, str]:
    """Run ``cmd``; return wall seconds, peak RSS in MiB, stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-500:]}")
    return elapsed, _peak_rss_mib(err.decode()), out.decode()


def _peak_rss_mib(stderr: str) -> int:
    for line in stderr.splitlines():
        if line.startswith("PEAK_RSS_KB="):
            return int(line.split("=", 1)[1]) // 1024
    return -1


RSS_WRAPPER = (
    "import resource, runpy, sys;"
    "sys.argv = sys.argv[1:];"
    "code = 0\n"
    "try:\n    runpy.run_module(sys.argv[0], run_name='__main__')\n"
    "except SystemExit as e:\n    code = e.code or 0\n"
    "sys.stderr.write('PEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)"
)


def run_floor(url: str, threads: int) -> dict[str, float]:
    elapsed, rss, out = timed(
        [
            sys.executable,
            "-c",
            RSS_WRAPPER,
            "floor",
            "--endpoint-url",
            url,
            "--threads",
            str(threads),
        ]
    )
    data = json.loads(out.strip().splitlines()[-1])
    return {"wall_s": elapsed, "tables": data["tables"], "calls": data["calls"], "rss": rss}


def run_scan(url: str, concurrency: int, controls: str | None) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-c",
        RSS_WRAPPER,
        "dynaguard.cli.main",
        "scan",
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--prefix",
        "bench-",
        "--format",
        "json",
        "--concurrency",
        str(concurrency),
    ]
    if controls:
        cmd += ["--controls", controls]
    elapsed, rss, out = timed(cmd)
    report = json.loads(out)
    stats = report["stats"]
    calls = stats.get("api_calls", {})
    total = sum(calls.values()) if isinstance(calls, dict) else int(calls or 0)
    return {"wall_s": elapsed, "tables": stats["tables"], "calls": total, "rss": rss}


def row(name: str, r: dict[str, float], base: float | None) -> str:
    tps = r["tables"] / r["wall_s"] if r["wall_s"] else 0
    cpt = r["calls"] / r["tables"] if r["tables"] else 0
    ratio = f"{r['wall_s'] / base:6.2f}x" if base else "    -  "
    return (
        f"| {name:<38} | {r['tables']:>6.0f} | {r['wall_s']:>7.2f} | {tps:>8.1f} | "
        f"{cpt:>9.2f} | {r['rss']:>8} | {ratio} |"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument(
        "--latency-ms",
        type=float,
        default=30.0,
        help="also run through a proxy adding this much per call (0: skip)",
    )
    p.add_argument(
        "--no-sequential-latency",
        action="store_true",
        help="skip the slow concurrency-1 run through the latency proxy",
    )
    args = p.parse_args()
    os.chdir(Path(__file__).parent)
    server, url = start_server()
    try:
        t0 = time.perf_counter()
        seed(url, args.tables)
        print(f"seeded {args.tables} tables in {time.perf_counter() - t0:.1f} s\n")
        header = (
            "| run                                    | tables |  wall s | tables/s | "
            "calls/tbl | RSS MiB | vs floor |"
        )
        print(header)
        print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
        floor = run_floor(url, 32)
        print(row("floor: boto3 4 calls/table, 32 threads", floor, None), flush=True)
        table_ctl = "DDB.001,DDB.002,DDB.003,DDB.013,DDB.014,DDB.017"
        r = run_scan(url, args.concurrency, table_ctl)
        print(
            row(f"dynaguard per-table controls, c={args.concurrency}", r, floor["wall_s"]),
            flush=True,
        )
        r = run_scan(url, args.concurrency, None)
        print(row(f"dynaguard all controls, c={args.concurrency}", r, floor["wall_s"]), flush=True)
        r1 = run_scan(url, 1, None)
        print(row("dynaguard all controls, c=1", r1, floor["wall_s"]), flush=True)
        if args.latency_ms > 0:
            with FaultProxy(url, delay_ms=args.latency_ms) as slow:
                tag = f"+{args.latency_ms:g}ms"
                f2 = run_floor(slow, 32)
                print(row(f"floor {tag}, 32 threads", f2, None), flush=True)
                r2 = run_scan(slow, args.concurrency, None)
                print(
                    row(f"dynaguard all {tag}, c={args.concurrency}", r2, f2["wall_s"]), flush=True
                )
                if not args.no_sequential_latency:
                    r3 = run_scan(slow, 1, None)
                    print(row(f"dynaguard all {tag}, c=1", r3, f2["wall_s"]), flush=True)
        print(
            "\nratio column: wall time / the floor's wall time in the same row group "
            "(1.00x = as fast as bare boto3 making only the 4 minimal calls)."
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
