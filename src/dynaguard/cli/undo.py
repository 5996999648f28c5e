"""``dynaguard undo RUN_ID``: restore the previous values a harden run journaled."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.cli.harden import confirm
from dynaguard.cli.runs import add_credential_options, run_sessions, settle_pending, timing_of
from dynaguard.cli.selection import SELECTION_HELP, add_selection_options, selection_from_args
from dynaguard.errors import UsageError
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK
from dynaguard.sanitize import clean_line

EXIT_HELP = """exit codes:
  0 restored (or nothing left to restore); 1 some restore failed (also: an account's role
  could not be assumed, its changes are not restored); 2 cancelled at the prompt,
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
    p.add_argument(
        "run_id",
        metavar="RUN_ID",
        help="a run id from 'dynaguard runs'; the id of a 'harden --accounts' run undoes "
        "every account's run",
    )
    p.add_argument(
        "--accounts",
        metavar="ID,...",
        help="only the runs of these accounts (of a 'harden --accounts' run)",
    )
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


def _record_dict(record: Any, plan: Any, outcomes: list[Any], message: str = "") -> dict[str, Any]:
    return {
        "undo_of": record.run_id,
        "account_id": record.account_id,
        "results": [o.to_dict() for o in outcomes],
        "not_undone": list(plan.not_undone),
        "already_undone": list(plan.already_undone),
        "damaged_lines": [str(d) for d in record.damaged],
        "message": message,
    }


def cmd_undo(args: argparse.Namespace) -> int:
    from dynaguard.engine import new_run_id
    from dynaguard.remediation.journal import default_state_dir, load_runs
    from dynaguard.sources.aws.org import AccountSelection, parse_account_ids

    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    selection = selection_from_args(args)
    accounts = parse_account_ids(args.accounts)
    AccountSelection(accounts=accounts)  # 12-digit ids: a usage error before any AWS call
    records = _chosen(load_runs(state_dir, args.run_id), accounts, args.run_id)
    timing_of(args)
    run_id = new_run_id()
    notes, settled = settle_pending(args, state_dir, run_id)
    return _undo(args, state_dir, selection, [r.run_id for r in records], run_id, notes, settled)


def _chosen(records: list[Any], accounts: tuple[str, ...], asked: str) -> list[Any]:
    if not accounts:
        return records
    kept = [r for r in records if r.account_id in accounts]
    if not kept:
        raise UsageError(f"run {asked} changed none of the accounts {', '.join(accounts)}")
    return kept


def _undo(
    args: argparse.Namespace,
    state_dir: Path,
    selection: Any,
    run_ids: list[str],
    run_id: str,
    notes: list[str],
    settled: bool,
) -> int:
    from dynaguard.remediation.journal import list_runs, load_run, restored_changes
    from dynaguard.remediation.undo import plan_undo

    records = [load_run(state_dir, r) for r in run_ids]  # as settling left them
    every_run = list(list_runs(state_dir))
    plans = [plan_undo(r, selection, restored_changes(every_run, r.run_id)) for r in records]
    for line in [*notes, *(str(d) for r in records for d in r.damaged)]:
        print(f"dynaguard: {clean_line(line)}", file=sys.stderr)
    incomplete = any(r.damaged for r in records) or not settled
    quiet = EXIT_INCOMPLETE if incomplete else EXIT_OK
    several = run_ids != [args.run_id]  # a multi-account run: one run per account
    out = sys.stderr if args.format == "json" else sys.stdout
    for record, plan in zip(records, plans, strict=True):
        if several:
            print(clean_line(f"== account {record.account_id} =="), file=out)
        heading = f"undo of run {record.run_id} ({record.kind}, {record.started}):"
        print(clean_line(heading), file=out)
        _preview(plan, out)
    total = sum(len(p.changes) for p in plans)
    if not total:
        return _nothing(args, records, plans, quiet, out)
    where = sum(1 for p in plans if p.changes)
    question = f"Restore {total} change(s)" + (f" in {where} account(s)?" if several else "?")
    if not confirm(question, args.yes):
        print("cancelled: nothing changed", file=out)
        return EXIT_CANCELLED
    results = _restore(args, state_dir, records, plans, run_id, several)
    return _report(args, records, plans, results, run_id, several, quiet)


def _nothing(
    args: argparse.Namespace, records: list[Any], plans: list[Any], quiet: int, out: Any
) -> int:
    messages = []
    for plan in plans:
        message = (
            f"run {plan.run_id} was already undone (by {', '.join(plan.undone_by)}): "
            "nothing to change"
            if plan.was_undone
            else "nothing to undo"
        )
        messages.append(message)
        print(clean_line(message), file=out)
    if args.format == "json":
        if len(records) == 1:
            _json(None, records[0], [], plans[0], messages[0])
        else:
            data = {
                "run_id": None,
                "undo_of": args.run_id,
                "accounts": [
                    _record_dict(r, p, [], m)
                    for r, p, m in zip(records, plans, messages, strict=True)
                ],
            }
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
    return quiet


def _restore(
    args: argparse.Namespace,
    state_dir: Path,
    records: list[Any],
    plans: list[Any],
    run_id: str,
    several: bool,
) -> list[tuple[str, list[Any]]]:
    """Each run's restoring changes in its account: (this undo's run id, outcomes). An account
    that cannot be reached fails its changes with the reason; the others go ahead."""
    from dynaguard.errors import DynaguardError
    from dynaguard.remediation.accounts import account_run_id
    from dynaguard.remediation.executor import FAILED, Outcome
    from dynaguard.remediation.journal import Journal
    from dynaguard.remediation.steps import StepRunner
    from dynaguard.remediation.undo import run_undo

    regions = tuple(
        sorted(
            {c.resource.region for p in plans for c in p.changes if c.resource.region != "global"}
        )
    )
    roles = (r.role_arn for r in records if r.role_arn)
    sessions = run_sessions(args, run_id, regions, next(roles, None))
    timing = timing_of(args)
    results = []
    for record, plan in zip(records, plans, strict=True):
        if not plan.changes:
            continue
        undo_id = account_run_id(run_id, sessions.account_of(record)) if several else run_id
        try:
            session = sessions.session(record)
        except DynaguardError as exc:
            reason = f"account {record.account_id} not reached: {clean_line(str(exc))}"
            print(
                f"dynaguard: {reason}: its {len(plan.changes)} change(s) are not restored",
                file=sys.stderr,
            )
            results.append((undo_id, [Outcome(c, FAILED, reason) for c in plan.changes]))
            continue
        meta: dict[str, Any] = {"account_id": sessions.account_of(record)}
        meta["role_arn"] = sessions.role_of(record) or args.role_arn
        if several:
            meta["batch"] = run_id
        outcomes = run_undo(
            plan,
            StepRunner(session, timing),
            Journal(state_dir, undo_id),
            args.allow_unprotect,
            **meta,
        )
        results.append((undo_id, outcomes))
    return results


def _report(
    args: argparse.Namespace,
    records: list[Any],
    plans: list[Any],
    results: list[tuple[str, list[Any]]],
    run_id: str,
    several: bool,
    quiet: int,
) -> int:
    from dynaguard.remediation.executor import FAILED
    from dynaguard.remediation.render import render_outcomes

    done = dict(zip((p.run_id for p in plans if p.changes), results, strict=True))
    if args.format == "json":
        if not several:
            _json(run_id, records[0], results[0][1], plans[0], "")
        else:
            accounts = []
            for record, plan in zip(records, plans, strict=True):
                undo_id, outcomes = done.get(record.run_id, (None, []))
                accounts.append({"run_id": undo_id, **_record_dict(record, plan, outcomes)})
            data = {"run_id": run_id, "undo_of": args.run_id, "accounts": accounts}
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for record in records:
            if record.run_id in done:
                undo_id, outcomes = done[record.run_id]
                sys.stdout.write(
                    render_outcomes(outcomes, f"undo run {undo_id} of {record.run_id}")
                )
    if any(o.status == FAILED for _, outcomes in results for o in outcomes):
        return EXIT_FAILED
    return quiet


def _json(run_id: str | None, record: Any, outcomes: list[Any], plan: Any, message: str) -> None:
    data = {"run_id": run_id, **_record_dict(record, plan, outcomes, message)}
    del data["account_id"]  # the one-run document as it always was
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
