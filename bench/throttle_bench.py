"""Which botocore retry mode serves a scan under throttling best?

    .venv/bin/python bench/throttle_bench.py [--tables 300] [--rate 0.2]

Seeds N tables into moto's server, then scans through the fault proxy, which answers a share
(--rate) of every per-table call with ThrottlingException, once with ``--retry-mode standard``
and once with ``--retry-mode adaptive``. Prints wall time, findings that stayed UNKNOWN (retries
exhausted) and the slowdown against an unthrottled scan in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import scan_bench as sb
from dynaguard.emulator.proxy import Fault, FaultProxy

PER_TABLE = (
    "DescribeTable",
    "DescribeContinuousBackups",
    "DescribeTimeToLive",
    "ListTagsOfResource",
    "GetResourcePolicy",
)


def scan(url: str, mode: str) -> tuple[float, int, int]:
    cmd = [
        sys.executable,
        "-m",
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
        "--retry-mode",
        mode,
    ]
    wall, _, out = sb.timed(cmd)
    report = json.loads(out)
    return wall, report["summary"]["UNKNOWN"], len(report["findings"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", type=int, default=300)
    p.add_argument("--rate", type=float, default=0.2)
    args = p.parse_args()
    server, url = sb.start_server()
    try:
        sb.seed(url, args.tables)
        base, _, _ = scan(url, "standard")
        print("| retry mode | throttled | wall s | vs unthrottled | UNKNOWN findings |")
        print("|---|---|---|---|---|")
        print(f"| standard | 0% | {base:.2f} | 1.00x | 0 |")
        for mode in ("standard", "adaptive"):
            proxy = FaultProxy(url, faults=[Fault(op, "throttle", args.rate) for op in PER_TABLE])
            with proxy as slow:
                wall, unknown, total = scan(slow, mode)
            print(
                f"| {mode} | {args.rate:.0%} ({sum(proxy.injected.values())} errors) | "
                f"{wall:.2f} | {wall / base:.2f}x | {unknown} of {total} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
