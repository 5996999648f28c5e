"""``dynaguard runs``: the harden and undo runs journaled in the state directory.

Changes a killed run left pending are first settled by reading the resources (reconcile.py),
each run in its own account: the credentials and endpoint given here for the caller's account,
the role the journal records (or ``--role-name``) for the others. Runs of every account are
listed, with the account each changed. Damaged journal lines are reported and skipped.
Exit 0; 3 when a line was damaged or a pending change could not be settled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynaguard.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from dynaguard.sanitize import clean_line

if TYPE_CHECKING:
    from dynaguard.remediation.steps import Timing

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
    g = p.add_argument_group("credentials and endpoint (to act in each run's account)")
    g.add_argument("--profile", help="AWS named profile")
    g.add_argument("--role-arn", help="assume this role first")
    g.add_argument(
        "--role-name",
        metavar="NAME",
        help="role assumed in the runs' other accounts (default: the role each journal records)",
    )
    g.add_argument(
        "--external-id", help="external id for the roles assumed (--role-arn, other accounts)"
    )
    g.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator)")
    g.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="S",
        help="first wait between status polls",
    )


def timing_of(args: argparse.Namespace) -> Timing:
    from dynaguard.errors import UsageError
    from dynaguard.remediation.steps import Timing

    if args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    return Timing(poll_s=args.poll_interval, retry_base_s=args.poll_interval)


def run_sessions(
    args: argparse.Namespace,
    run_id: str,
    regions: tuple[str, ...] = (),
    journal_role: str | None = None,
) -> Any:
    """The sessions acting in each run's account (no AWS call yet): the caller's credentials
    from ``args``, a role assumed for the other accounts. ``journal_role``: a role ARN some
    journal records (it lets --external-id go without --role-name)."""
    from dynaguard.cli.commands import check_external_id
    from dynaguard.remediation.run_sessions import RunSessions
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.org import AccountSelection
    from dynaguard.sources.aws.session import AwsSession

    role_name = AccountSelection(role_name=args.role_name).role_name  # checks the name
    named = role_name or (journal_role.split(":role/", 1)[-1] if journal_role else None)
    check_external_id(args.external_id, args.role_arn or named)
    options = AwsOptions(
        regions=regions[:1],
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        role_name=named,
        endpoint_url=args.endpoint_url,
    )
    return RunSessions(AwsSession(options, run_id), role_name)


def settle_pending(
    args: argparse.Namespace, state_dir: Path, run_id: str
) -> tuple[list[str], bool]:
    """Reconcile every pending change in ``state_dir``, each run in its own account (the
    caller's credentials, or the role its journal records): (notes, all settled)."""
    from dynaguard.errors import DynaguardError
    from dynaguard.remediation.reconcile import needs_reconciling, reconcile
    from dynaguard.remediation.steps import StepRunner

    records = needs_reconciling(state_dir)
    if not records:
        return [], True
    timing = timing_of(args)
    sessions = run_sessions(args, run_id, journal_role=next(_roles(records), None))
    notes: list[str] = []
    settled = True
    try:
        by_account: dict[str, list[Any]] = {}
        for record in records:
            by_account.setdefault(sessions.account_of(record), []).append(record)
    except DynaguardError as exc:
        return [f"{_pending(records)} pending change(s) could not be read back: {exc}"], False
    for account, group in sorted(by_account.items()):
        try:
            result = reconcile(group, StepRunner(sessions.session(group[0]), timing))
        except DynaguardError as exc:
            notes.append(
                f"{_pending(group)} pending change(s) of account {account} could not be "
                f"read back: {exc}"
            )
            settled = False
            continue
        notes += result.notes
        notes += [f"run {r}: another account's run, not read back" for r in result.skipped_runs]
        settled = settled and result.undetermined == 0 and not result.skipped_runs
    return notes, settled


def _pending(records: list[Any]) -> int:
    return sum(1 for r in records for e in r.entries if e.status == "pending")


def _roles(records: list[Any]) -> Any:
    return (r.role_arn for r in records if r.role_arn)


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
    width = max(28, *(len(r["run_id"]) for r in runs))
    print(
        f"{'run id':<{width}} {'kind':<7} {'account':<12} {'started':<26} "
        f"{'done':>4} {'failed':>6} {'pending':>7} {'recovered':>9}  state"
    )
    for r in runs:
        state = "finished" if r["finished"] else "interrupted"
        of = f" (undo of {r['of_run']})" if r["of_run"] else ""
        account = r["account_id"] or "-"
        line = (
            f"{r['run_id']:<{width}} {r['kind']:<7} {account:<12} {r['started']:<26} "
            f"{r['done']:>4} {r['failed']:>6} {r['pending']:>7} {r['recovered']:>9}  {state}{of}"
        )
        print(clean_line(line))  # ids, accounts and times come from journal files
    return code
