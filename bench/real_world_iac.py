"""Survey: `dynaguard iac` on public infrastructure code collections.

For each directory given: tables declared in the source (resource declarations counted in the
text: ``resource "aws_dynamodb_table"``, ``Type: AWS::DynamoDB::Table`` / ``GlobalTable`` /
``AWS::Serverless::SimpleTable``), tables judged, UNKNOWN verdicts grouped by cause, input
problems grouped by kind, crashes (a traceback or an exit code other than 0-3), and the time.

Procedure (the collections are never committed here):

1. Check the collections out to /tmp, text files only (large binaries are not needed):
   ``git clone --depth 1 https://github.com/<owner>/<repo> /tmp/iac-survey/<owner>+<repo>``
   for terraform-aws-modules/terraform-aws-dynamodb-table, cloudposse/terraform-aws-dynamodb,
   aws-cloudformation/aws-cloudformation-templates, aws-samples/serverless-patterns (SAM,
   Terraform, CloudFormation), and the DynamoDB/DAX test files of bridgecrewio/checkov
   (``tests/{terraform,cloudformation}/**/*{Dynamo,DAX}*``).
2. ``.venv/bin/python bench/real_world_iac.py /tmp/iac-survey/*``
   (``--top N`` shows N causes per collection; ``--json`` writes the raw counts).

Declared counts text occurrences: a module declaring three variants of one table (gated by
``count``) counts three and deploys one; a module never called counts and deploys none.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import time
from pathlib import Path

DYNAGUARD = [sys.executable, "-m", "dynaguard.cli.main"]
_TF_TABLE = re.compile(r'^\s*resource\s+"aws_dynamodb_table"\s+"', re.MULTILINE)
_CFN_TABLE = re.compile(
    r"Type[\"']?\s*:\s*[\"']?(AWS::DynamoDB::(?:Global)?Table|AWS::Serverless::SimpleTable)\b"
)
_SKIP = {".git", ".terraform", "node_modules", "cdk.out"}
# what makes a verdict UNKNOWN, from its reason (first match wins)
_CAUSES = (
    ("no AWS Backup selection is declared", "backup plans live outside the code"),
    ("has no Default", "CloudFormation parameter without a Default"),
    ("has no value", "Terraform variable without a value"),
    ("does not set its required variable", "module variable not set by its caller"),
    ("Fn::ImportValue", "another stack's export"),
    ("not declared in the", "literal KMS key: its manager/state needs AWS"),
    ("could not be described", "literal KMS key: its manager/state needs AWS"),
    ("availability_zones is not set", "DAX zones decided by the subnet group"),
    ("AvailabilityZones is not set", "DAX zones decided by the subnet group"),
    ("could not be resolved", "Terraform value tfparse cannot compute"),
    ("no such parameter or resource", "reference to a resource outside the template"),
    ("not known offline", "pseudo parameter outside a string"),
)


def declared_tables(root: Path) -> int:
    count = 0
    for path in root.rglob("*"):
        if not path.is_file() or _SKIP & set(path.parts):
            continue
        if path.suffix == ".tf":
            count += len(_TF_TABLE.findall(path.read_text(errors="replace")))
        elif path.suffix in (".yaml", ".yml", ".json", ".template"):
            count += len(_CFN_TABLE.findall(path.read_text(errors="replace")))
    return count


def cause(reason: str) -> str:
    return next((name for text, name in _CAUSES if text in reason), "other: " + reason[:80])


def survey(root: Path) -> dict[str, object]:
    started = time.perf_counter()
    proc = subprocess.run(
        [*DYNAGUARD, "iac", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    crashed = proc.returncode not in (0, 1, 2, 3) or "Traceback" in proc.stderr
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {"findings": []}
    findings = report["findings"]
    # one DDB.003 finding per table judged (two modules calling one module share its file)
    tables = [f for f in findings if f["control_id"] == "DDB.003" and f["resource_type"] == "table"]
    unknown = collections.Counter(
        (f["control_id"], cause(f["reason"])) for f in findings if f["status"] == "UNKNOWN"
    )
    problems = collections.Counter(
        re.sub(r"^\S+:\d*:? ?", "", line.removeprefix("dynaguard: "))[:70]
        for line in proc.stderr.splitlines()
        if line.startswith("dynaguard: ")
    )
    return {
        "collection": root.name,
        "declared": declared_tables(root),
        "judged": len(tables),
        "findings": len(findings),
        "unknown": sum(unknown.values()),
        "unknown_causes": unknown,
        "problems": sum(problems.values()),
        "problem_kinds": problems,
        "exit": proc.returncode,
        "crashed": crashed,
        "seconds": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = [survey(d) for d in args.dirs]
    print(
        "| collection | tables declared | tables judged | findings | UNKNOWN | input problems "
        "| exit | crash | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['collection']} | {r['declared']} | {r['judged']} | {r['findings']} | "
            f"{r['unknown']} | {r['problems']} | {r['exit']} | {'yes' if r['crashed'] else 'no'} "
            f"| {r['seconds']} |"
        )
    for r in rows:
        print(f"\n{r['collection']}: UNKNOWN by control and cause")
        for (control, why), n in r["unknown_causes"].most_common(args.top):  # type: ignore[attr-defined]
            print(f"  {n:5d}  {control}  {why}")
        for kind, n in r["problem_kinds"].most_common(args.top):  # type: ignore[attr-defined]
            print(f"  {n:5d}  problem: {kind}")
    if args.json:
        args.json.write_text(
            json.dumps(rows, default=lambda c: {str(k): v for k, v in c.items()}, indent=1)
        )


if __name__ == "__main__":
    main()
