"""Peak memory and CPU per table of the evaluate -> spool -> JSON path, on a synthetic inventory.

    .venv/bin/python bench/org_memory.py                  # 1,000 and 10,000 tables
    .venv/bin/python bench/org_memory.py --tables 1000 10000 30000

Each size runs in a fresh process (so ru_maxrss is that size's peak), twice: "streamed" is what
``scan`` does (each account's Inventory evaluated as it completes, its findings spooled to disk,
the JSON streamed from the spool), "whole" is the pre-organization path (one Inventory of every
table, one Report, the JSON text built in memory). Accounts hold 100 tables in each of 2 regions
(50 per region), with realistic facts (owned-key or CMK encryption, PITR, streams, TTL, tags,
a VPC with an endpoint, no policies), so every control judges every table.

Prints peak RSS per size, MB per 1,000 tables (the slope between the sizes), and the CPU seconds
per table of evaluation + spooling + writing (``cpu_per_table_s``, fed to bench/timing_model.py).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from dynaguard.config import Config
from dynaguard.controls.registry import all_controls
from dynaguard.evaluate import evaluate
from dynaguard.formats.json_format import render
from dynaguard.formats.json_stream import write_json_lines
from dynaguard.model import (
    AccountScope,
    Encryption,
    Inventory,
    Known,
    Pitr,
    RegionScope,
    Scaling,
    Stream,
    Table,
    Ttl,
    Vpc,
    VpcEndpoint,
)
from dynaguard.report import Report
from dynaguard.spool import FindingSpool

TABLES_PER_REGION = 50
REGIONS = ("us-east-1", "eu-west-1")


def synthetic_account(index: int) -> Inventory:
    """One account: 2 regions x 50 tables, region-wide facts known."""
    account = f"{100000000000 + index:012d}"
    scopes = []
    for region in REGIONS:
        tables = tuple(_table(account, region, n) for n in range(TABLES_PER_REGION))
        vpc = Vpc(f"vpc-{index:08x}", account, region, is_default=True)
        endpoint = VpcEndpoint(
            f"vpce-{index:08x}", vpc.vpc_id, f"com.amazonaws.{region}.dynamodb", "Gateway"
        )
        scopes.append(
            RegionScope(
                account,
                region,
                tables=Known(tables),
                dax_clusters=Known(()),
                scaling=Known(Scaling()),
                backup_selections=Known(()),
                vpcs=Known((vpc,)),
                vpc_endpoints=Known((endpoint,)),
            )
        )
    return Inventory("aws", tuple(scopes), (AccountScope(account, Known(())),))


def _table(account: str, region: str, n: int) -> Table:
    name = f"table-{n:05d}"
    return Table(
        name,
        account,
        region,
        arn=f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        status=Known("ACTIVE"),
        billing_mode=Known("PAY_PER_REQUEST"),
        gsis=Known(()),
        encryption=Known(Encryption(kms=False)),
        deletion_protection=Known(n % 2 == 0),
        stream=Known(Stream(n % 3 == 0, "NEW_AND_OLD_IMAGES" if n % 3 == 0 else None)),
        pitr=Known(Pitr(n % 2 == 1, 35 if n % 2 == 1 else None)),
        ttl=Known(Ttl("ENABLED" if n % 4 == 0 else "DISABLED")),
        tags=Known({"owner": "bench", "env": "prod"}),
        resource_policy=Known(None),
        stream_policy=Known(None),
        replicas=Known(()),
    )


def accounts(tables: int) -> Iterator[Inventory]:
    per_account = TABLES_PER_REGION * len(REGIONS)
    for i in range(max(1, tables // per_account)):
        yield synthetic_account(i)


def run_one(tables: int, mode: str) -> dict[str, float]:
    """In this process: evaluate ``tables`` tables the ``mode`` way; the JSON goes nowhere."""
    config = Config()
    controls = all_controls()
    started = time.process_time()
    sink = io.StringIO() if mode == "whole" else _NullWriter()
    findings = 0
    if mode == "streamed":
        spool = FindingSpool()
        for inventory in accounts(tables):
            found, _ = evaluate(inventory, controls, config)
            spool.add(inventory.accounts[0].account_id, found)
        tally = spool.finish()
        findings = write_json_lines({"summary": tally.summary()}, spool.lines(), sink)
        spool.close()
    else:
        scopes = [s for inv in accounts(tables) for s in inv.regions]
        whole = Inventory(
            "aws", tuple(scopes), tuple(a for inv in accounts(tables) for a in inv.accounts)
        )
        found, _ = evaluate(whole, controls, config)
        report = Report("bench", "aws", tuple(found), tuple(c.id for c in controls))
        sink.write(render(report))
        findings = len(found)
    cpu = time.process_time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tables": tables, "findings": findings, "cpu_s": cpu, "peak_mb": peak_mb}


class _NullWriter(io.TextIOBase):
    def write(self, s: str) -> int:
        return len(s)


def measure(tables: int, mode: str) -> dict[str, float]:
    """``run_one`` in a fresh process (its own peak RSS)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--tables", str(tables)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--child", choices=("streamed", "whole"), help=argparse.SUPPRESS)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = p.parse_args()
    if args.child:
        print(json.dumps(run_one(args.tables[0], args.child)))
        return
    rows = {mode: [measure(n, mode) for n in args.tables] for mode in ("streamed", "whole")}
    print("| path | tables | findings | peak RSS MB | CPU s | CPU ms/table |")
    print("|---|---|---|---|---|---|")
    for mode, results in rows.items():
        for r in results:
            per_table = 1000 * r["cpu_s"] / r["tables"]
            print(
                f"| {mode} | {r['tables']:.0f} | {r['findings']:.0f} | {r['peak_mb']:.0f} | "
                f"{r['cpu_s']:.2f} | {per_table:.2f} |"
            )
    figures: dict[str, float] = {}
    for mode, results in rows.items():
        lo, hi = results[0], results[-1]
        if hi["tables"] > lo["tables"]:
            slope = (hi["peak_mb"] - lo["peak_mb"]) / (hi["tables"] - lo["tables"]) * 1000
            figures[f"{mode}_mb_per_1000_tables"] = round(slope, 2)
            print(f"\n{mode}: {slope:.1f} MB per 1,000 tables (peak RSS slope)")
    big = rows["streamed"][-1]
    figures["cpu_per_table_s"] = round(big["cpu_s"] / big["tables"], 6)
    print(f"streamed: {1000 * figures['cpu_per_table_s']:.2f} ms CPU per table")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
