"""Benchmark: `dynaguard iac DIR --format json`, end to end, on generated Terraform corpora.

    .venv/bin/python bench/iac_bench.py                  # 1000 and 5000 files, 3 runs each
    .venv/bin/python bench/iac_bench.py --sizes 200 --runs 1
    CHECKOV=/path/to/checkov .venv/bin/python bench/iac_bench.py   # compare with Checkov

Each run is its own process (interpreter start-up and imports included), timed with a wall
clock; peak memory is the maximum RSS from wait4: the largest of the process and the worker
processes it waited for (dynaguard parses in one worker per core), so it is per process.
The corpus (bench/iac_corpus.py) has
DynamoDB tables and DAX clusters with varied settings, 50 files per root module. Checkov runs on
the same corpus (`checkov -d DIR --framework terraform --quiet -o json`) only when it is
installed (on PATH, or named by $CHECKOV); it is never installed into the project environment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from iac_corpus import generate


def run_once(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(tools: list[tuple[str, list[str]]], runs: int) -> dict[str, tuple[float, float, int]]:
    """(median s, peak RSS MB, exit code) per tool. Runs are interleaved (A B A B ...), so a
    change of load on a shared machine weighs on every tool alike, not on one of them."""
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in tools}
    for _ in range(runs):
        for name, cmd in tools:
            results[name].append(run_once(cmd))
    return {
        name: (statistics.median(r[0] for r in rs), max(r[1] for r in rs), rs[-1][2])
        for name, rs in results.items()
    }


def dynaguard_cmd(corpus: Path, state_dir: Path) -> list[str]:
    """As a user runs it (the run is recorded in the history, here in a scratch state dir)."""
    return [
        sys.executable,
        "-m",
        "dynaguard.cli.main",
        "iac",
        str(corpus),
        "--format",
        "json",
        "--state-dir",
        str(state_dir),
    ]


def checkov_cmd(corpus: Path) -> list[str] | None:
    binary = os.environ.get("CHECKOV") or shutil.which("checkov")
    if not binary:
        return None
    return [binary, "-d", str(corpus), "--framework", "terraform", "--quiet", "-o", "json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files-per-dir", type=int, default=50)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dynaguard-iac-bench-") as tmp:
        for size in args.sizes:
            corpus = generate(Path(tmp) / f"corpus-{size}", size, args.files_per_dir)
            tools = [("dynaguard iac", dynaguard_cmd(corpus, Path(tmp) / "state"))]
            checkov = checkov_cmd(corpus)
            if checkov:
                tools.append(("checkov", checkov))
            for name, (seconds, rss, code) in measure(tools, args.runs).items():
                rows.append((size, name, seconds, size / seconds, rss, code))
                print(f"  {name} on {size} files: {seconds:.2f} s", file=sys.stderr)
    if not any(r[1] == "checkov" for r in rows):
        print("(checkov not installed: set CHECKOV=/path/to/checkov to compare)", file=sys.stderr)
    print(
        f"{'files':>6}  {'tool':<14} {'median s':>9} {'files/s':>9} {'peak RSS MB':>12} {'exit':>5}"
    )
    for size, name, seconds, rate, rss, code in rows:
        print(f"{size:>6}  {name:<14} {seconds:>9.2f} {rate:>9.0f} {rss:>12.0f} {code:>5}")
    by_size: dict[int, dict[str, float]] = {}
    for size, name, seconds, _, _, _ in rows:
        by_size.setdefault(size, {})[name] = seconds
    for size, times in by_size.items():
        if "checkov" in times:
            ratio = times["checkov"] / times["dynaguard iac"]
            print(f"{size} files: dynaguard is {ratio:.1f}x faster")


if __name__ == "__main__":
    main()
