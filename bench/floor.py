"""The floor: the minimal per-table calls made with bare boto3 and a thread pool, nothing else.

    python bench/floor.py --endpoint-url URL --threads 32 [--prefix bench-]

Prints one JSON line: {"tables": N, "calls": C, "elapsed_s": S}. The scan benchmark runs this in
its own process, against the same emulator, as the baseline dynaguard is measured against.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint-url", required=True)
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--region", default="us-east-1")
    args = p.parse_args()
    started = time.perf_counter()
    ddb = boto3.session.Session().client(
        "dynamodb",
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        config=Config(max_pool_connections=args.threads, retries={"mode": "standard"}),
    )
    names: list[str] = []
    for page in ddb.get_paginator("list_tables").paginate():
        names.extend(page["TableNames"])

    def one(name: str) -> int:
        arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
        ddb.describe_continuous_backups(TableName=name)
        ddb.describe_time_to_live(TableName=name)
        ddb.list_tags_of_resource(ResourceArn=arn)
        return 4

    with ThreadPoolExecutor(args.threads) as pool:
        calls = sum(pool.map(one, names))
    elapsed = time.perf_counter() - started
    print(json.dumps({"tables": len(names), "calls": calls, "elapsed_s": round(elapsed, 3)}))


if __name__ == "__main__":
    main()
