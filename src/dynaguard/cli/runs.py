"""``dynaguard runs``: the harden and undo runs journaled in the state directory.

Changes a killed run left pending are first settled by reading the resources (reconcile.py),
with the credentials and endpoint given here. Damaged journal lines are reported and skipped.
Exit 0; 3 when a line was damaged or a pending change could not be settled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from dynaguard.sanitize import clean_line

EXIT_HELP = """exit codes:
  0 listed; 3 a journal line was damaged (skipped) or a pending change could not be read back
"""


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "runs",
        help="list past harden and undo runs (their journals)",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--state-dir", metavar="DIR", help="where run journals live (default: the user data dir)"
    )
    p.add_argument("--format", choices=("terminal", "json"), default="terminal")
    add_credential_options(p)
    p.set_defaults(func=cmd_runs)


def add_credential_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("credentials and endpoint (to read back interrupted changes)")
    g.add_argument("--profile", help="AWS named profile")
    g.add_argument("--role-arn", help="assume this role first")
    g.add_argument("--external-id", help="external id for --role-arn")
    g.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator)")
    g.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="S",
        help="first wait between status polls",
    )


def step_runner(args: argparse.Namespace, run_id: str, regions: tuple[str, ...] = ()) -> Any:
    """A StepRunner on the credentials and endpoint of ``args`` (no AWS call yet)."""
    from dynaguard.errors import UsageError
    from dynaguard.remediation.steps import StepRunner, Timing
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession

    if args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    options = AwsOptions(
        regions=regions[:1],
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
    )
    timing = Timing(poll_s=args.poll_interval, retry_base_s=args.poll_interval)
    return StepRunner(AwsSession(options, run_id), timing)


def settle_pending(
    args: argparse.Namespace, state_dir: Path, run_id: str
) -> tuple[list[str], bool]:
    """Reconcile every pending change in ``state_dir``: (notes, all settled)."""
    from dynaguard.errors import DynaguardError
    from dynaguard.remediation.reconcile import needs_reconciling, reconcile

    records = needs_reconciling(state_dir)
    if not records:
        return [], True
    try:
        result = reconcile(records, step_runner(args, run_id))
    except DynaguardError as exc:
        count = sum(1 for r in records for e in r.entries if e.status == "pending")
        return [f"{count} pending change(s) could not be read back: {exc}"], False
    notes = list(result.notes)
    notes += [f"run {r}: another account's run, not read back" for r in result.skipped_runs]
    return notes, result.undetermined == 0 and not result.skipped_runs


def cmd_runs(args: argparse.Namespace) -> int:
    from dynaguard.cli.paths import existing_state_dir
    from dynaguard.engine import new_run_id
    from dynaguard.remediation.journal import default_state_dir, list_runs

    state_dir = existing_state_dir(args.state_dir) or default_state_dir()
    notes, settled = settle_pending(args, state_dir, new_run_id())
    records = list(list_runs(state_dir))
    damaged = [str(d) for r in records for d in r.damaged]
    for line in [*notes, *damaged]:
        print(f"dynaguard: {clean_line(line)}", file=sys.stderr)
    code = EXIT_OK if settled and not damaged else EXIT_INCOMPLETE
    runs = [r.to_dict() for r in records]
    if args.format == "json":
        sys.stdout.write(json.dumps(runs, indent=2) + "\n")
        return code
    if not runs:
        print(f"no runs in {state_dir}")
        return code
    print(
        f"{'run id':<28} {'kind':<7} {'started':<26} "
        f"{'done':>4} {'failed':>6} {'pending':>7} {'recovered':>9}  state"
    )
    for r in runs:
        state = "finished" if r["finished"] else "interrupted"
        of = f" (undo of {r['of_run']})" if r["of_run"] else ""
        line = (
            f"{r['run_id']:<28} {r['kind']:<7} {r['started']:<26} "
            f"{r['done']:>4} {r['failed']:>6} {r['pending']:>7} {r['recovered']:>9}  {state}{of}"
        )
        print(clean_line(line))  # ids and times come from journal files
    return code
