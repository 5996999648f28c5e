"""``dynaguard undo RUN_ID``: restore the previous values a harden run journaled."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.cli.harden import confirm
from dynaguard.cli.runs import add_credential_options, settle_pending, step_runner
from dynaguard.cli.selection import SELECTION_HELP, add_selection_options, selection_from_args
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK
from dynaguard.sanitize import clean_line

EXIT_HELP = """exit codes:
  0 restored (or nothing left to restore); 1 some restore failed; 2 cancelled at the prompt,
  no terminal without --yes, or usage error; 3 a journal line was damaged (skipped) or a
  change's state could not be read back, and nothing failed
"""


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "undo",
        help="restore what a harden run changed (re-disabling a protection needs "
        "--allow-unprotect)",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run_id", metavar="RUN_ID", help="a run id from 'dynaguard runs'")
    p.add_argument("--format", choices=("terminal", "json"), default="terminal")
    p.add_argument("--yes", "-y", action="store_true", help="restore without the prompt")
    p.add_argument(
        "--allow-unprotect",
        action="store_true",
        help="also restore values that switch a protection off (deletion protection, PITR, "
        "keys, rotation, backup coverage...); does not skip the prompt",
    )
    p.add_argument("--state-dir", metavar="DIR", help="where run journals live")
    add_selection_options(p.add_argument_group("which resources", SELECTION_HELP))
    add_credential_options(p)
    p.set_defaults(func=cmd_undo)


def _preview(plan: Any, out: Any) -> None:
    """The changes to restore. Names and values come from the journal (read from AWS when
    the run was made): each line passes through ``clean_line`` before the terminal sees it."""
    for change in plan.changes:
        mark = (
            "  [re-disables a protection: needs --allow-unprotect]"
            if change.change_id in plan.weakening
            else ""
        )
        what = f"{change.control_id} {change.resource.label()}: {change.current} -> {change.target}"
        print(f"- {clean_line(what)}{mark}", file=out)
        for step in change.steps:
            print(f"    {clean_line(step.describe())}", file=out)
    for note in plan.not_undone:
        print(f"- not undone: {clean_line(str(note))}", file=out)
    for label in plan.already_undone:
        print(f"- already undone: {clean_line(str(label))}", file=out)


def _json(run_id: str | None, record: Any, outcomes: list[Any], plan: Any, message: str) -> None:
    data = {
        "run_id": run_id,
        "undo_of": record.run_id,
        "results": [o.to_dict() for o in outcomes],
        "not_undone": list(plan.not_undone),
        "already_undone": list(plan.already_undone),
        "damaged_lines": [str(d) for d in record.damaged],
        "message": message,
    }
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def cmd_undo(args: argparse.Namespace) -> int:
    from dynaguard.engine import new_run_id
    from dynaguard.remediation.executor import FAILED
    from dynaguard.remediation.journal import (
        Journal,
        default_state_dir,
        list_runs,
        load_run,
        restored_changes,
    )
    from dynaguard.remediation.render import render_outcomes
    from dynaguard.remediation.undo import plan_undo, run_undo

    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    selection = selection_from_args(args)
    load_run(state_dir, args.run_id)  # a usage error before any AWS call
    run_id = new_run_id()
    notes, settled = settle_pending(args, state_dir, run_id)
    record = load_run(state_dir, args.run_id)
    restored = restored_changes(list(list_runs(state_dir)), record.run_id)
    plan = plan_undo(record, selection, restored)
    for line in [*notes, *(str(d) for d in record.damaged)]:
        print(f"dynaguard: {clean_line(line)}", file=sys.stderr)
    incomplete = bool(record.damaged) or not settled
    quiet = EXIT_INCOMPLETE if incomplete else EXIT_OK
    out = sys.stderr if args.format == "json" else sys.stdout
    print(clean_line(f"undo of run {record.run_id} ({record.kind}, {record.started}):"), file=out)
    _preview(plan, out)
    if not plan.changes:
        message = (
            f"run {record.run_id} was already undone (by {', '.join(plan.undone_by)}): "
            "nothing to change"
            if plan.was_undone
            else "nothing to undo"
        )
        print(clean_line(message), file=out)
        if args.format == "json":
            _json(None, record, [], plan, message)
        return quiet
    if not confirm(f"Restore {len(plan.changes)} change(s)?", args.yes):
        print("cancelled: nothing changed", file=out)
        return EXIT_CANCELLED
    regions = tuple(
        sorted({c.resource.region for c in plan.changes if c.resource.region != "global"})
    )
    runner = step_runner(args, run_id, regions)
    outcomes = run_undo(plan, runner, Journal(state_dir, run_id), args.allow_unprotect)
    if args.format == "json":
        _json(run_id, record, outcomes, plan, "")
    else:
        sys.stdout.write(render_outcomes(outcomes, f"undo run {run_id} of {record.run_id}"))
    if any(o.status == FAILED for o in outcomes):
        return EXIT_FAILED
    return quiet
