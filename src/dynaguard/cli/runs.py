"""``dynaguard runs``: the harden and undo runs journaled in the state directory."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser("runs", help="list past harden and undo runs (their journals)")
    p.add_argument(
        "--state-dir", metavar="DIR", help="where run journals live (default: the user data dir)"
    )
    p.add_argument("--format", choices=("terminal", "json"), default="terminal")
    p.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    from dynaguard.remediation.journal import default_state_dir, list_runs

    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    runs = [r.to_dict() for r in list_runs(state_dir)]
    if args.format == "json":
        sys.stdout.write(json.dumps(runs, indent=2) + "\n")
        return 0
    if not runs:
        print(f"no runs in {state_dir}")
        return 0
    print(
        f"{'run id':<28} {'kind':<7} {'started':<26} "
        f"{'done':>4} {'failed':>6} {'pending':>7}  state"
    )
    for r in runs:
        state = "finished" if r["finished"] else "interrupted"
        of = f" (undo of {r['of_run']})" if r["of_run"] else ""
        print(
            f"{r['run_id']:<28} {r['kind']:<7} {r['started']:<26} "
            f"{r['done']:>4} {r['failed']:>6} {r['pending']:>7}  {state}{of}"
        )
    return 0
