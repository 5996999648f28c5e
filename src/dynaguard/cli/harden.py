"""``dynaguard harden``: plan fixes from live state, show them, ask, apply, verify, journal."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynaguard.cli.org_options import add_org_options
from dynaguard.errors import UsageError
from dynaguard.sanitize import clean_line

if TYPE_CHECKING:
    from dynaguard.remediation.planner import HardenPlan

EXIT_HELP = """exit codes:
  0 every change applied and verified, or nothing to do; 1 some change failed;
  2 cancelled at the prompt, no terminal without --yes, or usage error: nothing changed
"""


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "harden",
        help="fix the baseline's fixable gaps on live tables (plan, confirm, apply, verify)",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.aws(p)
    common.common(p)
    common.output(p, findings=False)  # harden has no --fail-on / --show-passed to honour
    add_org_options(p, scan=False)
    add_confirm_options(p)
    h = p.add_argument_group("what to fix")
    h.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="IDS",
        help="fix only these controls (opt-in ones included), e.g. DDB.002,DDB.003",
    )
    h.add_argument(
        "--skip", action="append", default=[], metavar="IDS", help="do not fix these controls"
    )
    h.add_argument(
        "--no-pitr",
        action="store_true",
        help="leave point-in-time recovery alone (DDB.002, DDB.011)",
    )
    h.add_argument(
        "--no-deletion-protection",
        action="store_true",
        help="leave deletion protection alone (DDB.003)",
    )
    h.add_argument(
        "--no-encryption",
        action="store_true",
        help="leave table/replica encryption alone (DDB.001, DDB.010)",
    )
    h.add_argument(
        "--kms-key",
        action="append",
        default=[],
        metavar="[REGION=]KEY",
        help="customer managed key to encrypt with (repeatable per region)",
    )
    h.add_argument(
        "--create-key",
        action="store_true",
        help="create a customer managed key (rotation on, alias alias/dynaguard-cmk) "
        "where none is configured",
    )
    h.add_argument(
        "--create-backup-plan",
        action="store_true",
        help="create a daily backup plan with a tag-based selection where no "
        "selection can cover a table",
    )
    h.add_argument(
        "--alarm-topic",
        action="append",
        default=[],
        metavar="SNS_TOPIC_ARN",
        help="DDB.018: the SNS topic new throttling alarms notify (one per region, repeatable; "
        "overrides harden.alarm_topic)",
    )
    h.add_argument(
        "--dry-run", action="store_true", help="print the plan and stop: no mutating call"
    )
    h.add_argument(
        "--parallel",
        type=int,
        default=4,
        metavar="N",
        help="resources changed in parallel (default 4)",
    )
    h.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="S",
        help="first wait between status polls (default 1 s)",
    )
    p.set_defaults(func=cmd_harden)


def add_confirm_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        "-y",
        dest="yes",
        action="store_true",
        help="apply without the confirmation prompt (changes nothing else)",
    )
    p.add_argument("--force", dest="yes", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--state-dir", metavar="DIR", help="where run journals live (default: the user data dir)"
    )


def confirm(question: str, yes: bool, dry_run_hint: bool = True) -> bool:
    """Ask on the terminal; without one, --yes is required (exit 2 otherwise). The hint names
    only --yes, which skips the question and nothing else."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to confirm on: pass --yes to go ahead without a prompt"
            + (", or --dry-run to only see the plan" if dry_run_hint else "")
        )
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _kms_keys(values: list[str]) -> dict[str, str]:
    from dynaguard.model.aws_rules import is_kms_key_ref

    out = {}
    for value in values:
        region, _, key = value.rpartition("=") if "=" in value else ("*", "", value)
        if not is_kms_key_ref(key):
            raise UsageError(f"--kms-key {value!r}: not a KMS key id, ARN or alias")
        if region == "*" and key.startswith("arn:"):
            region = key.split(":")[3]
        out[region] = key
    return out


def _options(args: argparse.Namespace, config: Any) -> Any:
    from dynaguard.remediation.base import Options

    settings = config.harden
    if args.kms_key:
        settings = replace(settings, kms_key=_kms_keys(args.kms_key))
    if args.alarm_topic:
        from dynaguard.config_harden import topics_by_region

        try:
            settings = replace(settings, alarm_topic=topics_by_region(args.alarm_topic))
        except ValueError as exc:
            raise UsageError(f"--alarm-topic: {exc}") from None
    return Options(
        settings=settings, create_key=args.create_key, create_backup_plan=args.create_backup_plan
    )


def _fixes(args: argparse.Namespace) -> dict[str, Any]:
    """What to fix and how, as ``harden`` / ``harden_accounts`` keywords (shared by both)."""
    from dynaguard.remediation.steps import Timing

    shortcuts = [
        n for n in ("no_pitr", "no_deletion_protection", "no_encryption") if getattr(args, n)
    ]
    return {
        "only": args.only + ([args.controls] if args.controls else []),
        "skip": args.skip,
        "shortcuts": shortcuts,
        "state_dir": Path(args.state_dir) if args.state_dir else None,
        "timing": Timing(poll_s=args.poll_interval, retry_base_s=args.poll_interval),
        "concurrency": args.parallel,
    }


def _emit(text: str, args: argparse.Namespace) -> None:
    """The result to --output (checked before anything changed; should the write still fail,
    the result goes to stdout rather than being lost) or stdout."""
    from dynaguard.cli.paths import write_or_show

    if args.output:
        if write_or_show(text, args.output, "dynaguard harden"):
            print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_harden(args: argparse.Namespace) -> int:
    from dynaguard.cli.commands import aws_options
    from dynaguard.cli.org_options import account_selection
    from dynaguard.engine import new_run_id, resolve_config
    from dynaguard.logs import setup_logging
    from dynaguard.remediation.harden import harden
    from dynaguard.remediation.render import render_outcomes, render_plan

    if args.parallel < 1 or args.poll_interval <= 0:
        raise UsageError("--parallel must be at least 1 and --poll-interval positive")
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    config = resolve_config(args.config)
    as_json = args.format == "json"
    color = sys.stdout.isatty() and not args.no_color and not args.output

    def ask(plan: HardenPlan) -> bool:
        preview = render_plan(plan, color=color and not as_json)
        if as_json:
            if not args.yes:
                sys.stderr.write(preview)
        else:
            sys.stdout.write(preview)
        return confirm(f"Apply {len(plan.all_changes)} change(s)?", args.yes)

    from dynaguard.remediation.accounts import refuse_whole_organization

    refuse_whole_organization(getattr(args, "org", False), getattr(args, "ou", None))
    selection = account_selection(args)
    if selection.fan_out:
        from dynaguard.cli.harden_accounts import harden_accounts_command

        text, code = harden_accounts_command(
            args,
            selection,
            run_id,
            config,
            options=_options(args, config),
            fixes=_fixes(args),
            ask=lambda question: confirm(question, args.yes),
        )
        _emit(text, args)
        return code
    result = harden(
        aws_options(args),
        config=config,
        options=_options(args, config),
        dry_run=args.dry_run,
        confirm=ask,
        run_id=run_id,
        **_fixes(args),
    )
    for note in result.reconciled:
        print(f"dynaguard: {clean_line(note)}", file=sys.stderr)  # names from the journal
    if as_json:
        _emit(json.dumps(result.to_dict(), indent=2) + "\n", args)
        return result.exit_code
    text = render_plan(result.plan, color) if (args.dry_run or not result.plan.all_changes) else ""
    if result.cancelled:
        text += "cancelled: nothing changed\n"
    elif result.outcomes:
        text += render_outcomes(result.outcomes, f"harden run {run_id}", color)
        text += f"journal: {result.journal}  (undo: dynaguard undo {run_id})\n"
    summary = ", ".join(f"{v} {k}" for k, v in result.summary().items() if v)
    text += f"summary: {summary or 'nothing to do'}\n"
    _emit(text, args)
    return result.exit_code
