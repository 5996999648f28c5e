"""``dynaguard drill TABLE``: restore a table to a point in time into a scratch table, verify
it, measure RPO and RTO, delete the scratch table, record the result."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.errors import AuditError, UsageError

EXIT_HELP = """exit codes:
  0 the drill restored, verified and met its targets (or --dry-run planned it);
  1 the restore or a verification failed, or RPO/RTO missed its target;
  2 cancelled at the prompt, no terminal without --yes, or usage error: nothing restored
"""


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "drill",
        help="prove a table restores: point-in-time restore into a scratch table, verify, delete",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("table", metavar="TABLE", help="the table to restore")
    p.add_argument("--region", help="the table's region (default: the profile's region)")
    p.add_argument(
        "--at",
        metavar="TIME",
        help="restore point, ISO 8601 (e.g. 2026-01-31T12:00:00Z; default: latest restorable)",
    )
    p.add_argument("--keep", action="store_true", help="keep the scratch table afterwards")
    p.add_argument("--dry-run", action="store_true", help="show what it would do and cost")
    p.add_argument(
        "--yes", "--force", "-y", dest="yes", action="store_true", help="run without asking"
    )
    p.add_argument("--state-dir", metavar="DIR", help="journals and history (default: user data)")
    p.add_argument("--config", "-c", metavar="FILE", help="YAML configuration (drill: targets)")
    p.add_argument("--format", choices=("terminal", "json"), default="terminal")
    p.add_argument("--output", "-o", metavar="FILE", help="write the result to FILE")
    p.add_argument("--poll-interval", type=float, default=5.0, metavar="S", help=argparse.SUPPRESS)
    a = p.add_argument_group("credentials and endpoint")
    a.add_argument("--profile", help="AWS named profile")
    a.add_argument("--role-arn", help="assume this role first")
    a.add_argument("--external-id", help="external id for --role-arn")
    a.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator) for every client")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr")
    p.set_defaults(func=cmd_drill)


def parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at {text!r}: not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def cmd_drill(args: argparse.Namespace) -> int:
    from dynaguard.cli.harden import confirm
    from dynaguard.drill.render import render_plan, render_result
    from dynaguard.drill.run import DrillRequest, DrillResult, DrillTiming, run_drill
    from dynaguard.engine import new_run_id, resolve_config
    from dynaguard.logs import setup_logging
    from dynaguard.remediation.journal import default_state_dir
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession

    if args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    run_id = new_run_id()
    setup_logging(args.verbose, "text", run_id)
    config = resolve_config(args.config)
    at = parse_time(args.at) if args.at else None
    options = AwsOptions(
        regions=(args.region,) if args.region else (),
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
    )
    session = AwsSession(options, run_id)
    region = args.region or session.default_region
    if not region:
        raise UsageError("no AWS region: pass --region or configure one")
    request = DrillRequest(args.table, region, at, keep=args.keep, dry_run=args.dry_run)
    as_json = args.format == "json"

    def ask(plan: DrillResult) -> bool:
        (sys.stderr if as_json else sys.stdout).write(render_plan(plan))
        return confirm(
            f"Restore {plan.table} into {plan.scratch_table} (a billable table)?", args.yes
        )

    try:
        result = run_drill(
            request,
            session,
            config,
            Path(args.state_dir) if args.state_dir else default_state_dir(),
            run_id=run_id,
            confirm=ask,
            timing=DrillTiming(poll_s=args.poll_interval, poll_max_s=max(args.poll_interval, 30.0)),
        )
    except AuditError as exc:  # no identity: the drill could not run (exit codes as harden)
        from dynaguard.sanitize import clean

        print(f"dynaguard drill: error: {clean(str(exc))}", file=sys.stderr)
        return 1
    if as_json:
        text = json.dumps(result.to_dict(), indent=2) + "\n"
    elif result.outcome == "planned":
        text = render_plan(result)
    elif result.outcome == "cancelled":
        text = "cancelled: nothing restored\n"
    else:
        text = render_result(result)
    if args.output:
        from dynaguard.cli.paths import write_or_show

        write_or_show(text, args.output, "dynaguard drill")
    else:
        sys.stdout.write(text)
    return result.exit_code
