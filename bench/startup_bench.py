"""Start-up time of the commands people type first: ``dynaguard --help`` and ``dynaguard
controls`` (target: under 0.3 s each on an idle machine), against ``python -c pass`` measured
in the same run as the baseline.

    .venv/bin/python bench/startup_bench.py [--runs 15]

Prints a table: median and best wall time of each command as a fresh process, and its
difference to the bare interpreter start. Also the slowest imports of each (python -X importtime).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "dynaguard --help": [sys.executable, "-m", "dynaguard.cli.main", "--help"],
    "dynaguard controls": [sys.executable, "-m", "dynaguard.cli.main", "controls"],
    "dynaguard controls --format json": [
        sys.executable,
        "-m",
        "dynaguard.cli.main",
        "controls",
        "--format",
        "json",
    ],
}


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def slowest_imports(cmd: list[str], top: int = 5) -> list[tuple[int, str]]:
    done = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):  # interleaved, so load changes hit every command alike
        for name, cmd in COMMANDS.items():
            times[name].append(wall(cmd))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<36} {'median s':>9} {'best s':>8} {'- python s':>11}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>9.3f} {min(values):>8.3f} {median - base:>11.3f}")
    for name, cmd in list(COMMANDS.items())[1:3]:
        print(f"\nslowest cumulative imports of {name} (us):")
        for micros, module in slowest_imports(cmd):
            print(f"  {micros:>9} {module}")


if __name__ == "__main__":
    main()
