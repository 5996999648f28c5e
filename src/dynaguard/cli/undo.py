"""``dynaguard undo RUN_ID``: restore the previous values a harden run journaled."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.cli.harden import confirm
from dynaguard.cli.selection import SELECTION_HELP, add_selection_options, selection_from_args


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "undo", help="restore what a harden run changed (re-disabling a protection needs --force)"
    )
    p.add_argument("run_id", metavar="RUN_ID", help="a run id from 'dynaguard runs'")
    p.add_argument("--format", choices=("terminal", "json"), default="terminal")
    p.add_argument("--yes", "-y", action="store_true", help="restore without the prompt")
    p.add_argument(
        "--force",
        action="store_true",
        help="also re-disable protections (deletion protection, PITR, keys...); implies --yes",
    )
    p.add_argument("--state-dir", metavar="DIR", help="where run journals live")
    add_selection_options(p.add_argument_group("which resources", SELECTION_HELP))
    g = p.add_argument_group("credentials and endpoint")
    g.add_argument("--profile", help="AWS named profile")
    g.add_argument("--role-arn", help="assume this role first")
    g.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator)")
    g.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="S",
        help="first wait between status polls",
    )
    p.set_defaults(func=cmd_undo)


def cmd_undo(args: argparse.Namespace) -> int:
    from dynaguard.engine import new_run_id
    from dynaguard.remediation.executor import FAILED
    from dynaguard.remediation.journal import Journal, default_state_dir, load_run
    from dynaguard.remediation.render import render_outcomes
    from dynaguard.remediation.steps import StepRunner, Timing
    from dynaguard.remediation.undo import plan_undo, run_undo
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession

    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    record = load_run(state_dir, args.run_id)
    plan = plan_undo(record, selection_from_args(args))
    out = sys.stderr if args.format == "json" else sys.stdout
    print(f"undo of run {record.run_id} ({record.kind}, {record.started}):", file=out)
    for change in plan.changes:
        mark = (
            "  [needs --force: re-disables a protection]"
            if change.change_id in plan.weakening
            else ""
        )
        print(
            f"- {change.control_id} {change.resource.label()}: "
            f"{change.current} -> {change.target}{mark}",
            file=out,
        )
        for step in change.steps:
            print(f"    {step.describe()}", file=out)
    for note in plan.not_undone:
        print(f"- not undone: {note}", file=out)
    if not plan.changes:
        print("nothing to undo", file=out)
        return 0
    if not confirm(f"Restore {len(plan.changes)} change(s)?", args.force or args.yes):
        print("cancelled: nothing changed", file=out)
        return 2
    run_id = new_run_id()
    regions = tuple(
        sorted({c.resource.region for c in plan.changes if c.resource.region != "global"})
    )
    options = AwsOptions(
        regions=regions[:1],
        profile=args.profile,
        role_arn=args.role_arn,
        endpoint_url=args.endpoint_url,
    )
    runner = StepRunner(
        AwsSession(options, run_id),
        Timing(poll_s=args.poll_interval, retry_base_s=args.poll_interval),
    )
    outcomes = run_undo(plan, runner, Journal(state_dir, run_id), allow_weakening=args.force)
    if args.format == "json":
        data = {
            "run_id": run_id,
            "undo_of": record.run_id,
            "results": [o.to_dict() for o in outcomes],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(render_outcomes(outcomes, f"undo run {run_id} of {record.run_id}"))
    return 1 if any(o.status == FAILED for o in outcomes) else 0
