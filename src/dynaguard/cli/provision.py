"""``dynaguard provision``: plan, confirm, create a table that passes the baseline; or render it
as Terraform / CloudFormation. Wiring only: the work is in :mod:`dynaguard.provisioning`.

Exit codes: 0 created (or the existing table matches the spec, or a dry run / render);
1 a call failed, or the existing table differs from the spec; 2 invalid schema, usage error,
or cancelled at the prompt (nothing created).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynaguard.errors import UsageError
from dynaguard.sanitize import clean_line

if TYPE_CHECKING:
    from dynaguard.config import Config
    from dynaguard.provisioning import Plan, TableSpec

EXIT_HELP = """exit codes:
  0 created and verified, the existing table matches the spec, or a dry run / --emit
  1 a call or a verification failed, or the existing table differs from the spec
  2 invalid schema or usage error, or cancelled at the prompt (nothing created)
"""


def preset_names() -> tuple[str, ...]:
    """The shipped presets, read from the package folder: importing
    :mod:`dynaguard.provisioning` (and boto3 with it) would slow down ``dynaguard --help``."""
    import importlib.util

    spec = importlib.util.find_spec("dynaguard.provisioning")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return tuple(sorted(p.stem for f in folders for p in Path(f, "presets").glob("*.yaml")))


def register(subparsers: Any, common: Any) -> None:
    p = subparsers.add_parser(
        "provision",
        help="create a DynamoDB table that passes the baseline, or render it as IaC",
        description="Plan, confirm and create a DynamoDB table from a schema file or a preset, "
        "with encryption, PITR, deletion protection and the rest already right.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("schema", nargs="?", metavar="SCHEMA", help="table schema (YAML or JSON)")
    p.add_argument("--preset", choices=preset_names(), help="a shipped schema instead of SCHEMA")
    p.add_argument("--name", help="table name (required with --preset; overrides the schema's)")
    p.add_argument("--kms-key", metavar="ARN", help="customer managed KMS key (ARN or alias ARN)")
    p.add_argument(
        "--alarm-topic",
        metavar="SNS_TOPIC_ARN",
        help="create read/write throttling alarms (DDB.018) notifying this topic "
        "(in the table's region)",
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add or override a tag (repeatable)",
    )
    p.add_argument(
        "--show-schema",
        action="store_true",
        help="print the preset's schema (with its comments) and exit",
    )
    g = p.add_argument_group("mode")
    g.add_argument(
        "--yes", "--force", "-y", dest="yes", action="store_true", help="create without asking"
    )
    g.add_argument("--dry-run", action="store_true", help="plan only: no mutating call")
    g.add_argument(
        "--emit",
        choices=("terraform", "cloudformation"),
        help="write infrastructure code instead of calling AWS",
    )
    g.add_argument("--output", "-o", metavar="FILE", help="with --emit: write the code to FILE")
    g.add_argument(
        "--format",
        choices=("terminal", "json"),
        default="terminal",
        help="result format (default: terminal)",
    )
    g.add_argument(
        "--wait-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="how long to wait for ACTIVE after each change (default 1800)",
    )
    g.add_argument(
        "--poll-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how often to poll for ACTIVE (default 5)",
    )
    a = p.add_argument_group("credentials, region and endpoint")
    a.add_argument(
        "--region", help="the table's region (default: the schema's, else the profile's)"
    )
    a.add_argument("--profile", help="AWS named profile")
    a.add_argument("--role-arn", help="assume this role first")
    a.add_argument("--external-id", help="external id for --role-arn")
    a.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator) for every client")
    common.common(p)
    p.set_defaults(func=cmd_provision)


def _tags(values: list[str]) -> dict[str, str]:
    tags = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--tag needs KEY=VALUE, got {item!r}")
        tags[key] = value
    return tags


def _default_region(args: argparse.Namespace) -> str | None:
    """As every command resolves it: --region, then AWS_REGION / AWS_DEFAULT_REGION, then the
    profile's region (also for --emit, which makes no AWS call)."""
    import os

    if args.region:
        return str(args.region)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        region = boto3.Session(profile_name=args.profile).region_name
    except ProfileNotFound:
        raise UsageError(f"AWS profile {args.profile!r} not found") from None
    return str(region) if region else None


def cmd_provision(args: argparse.Namespace) -> int:
    from dynaguard.cli.commands import check_external_id, controls_arg
    from dynaguard.config_load import load_config
    from dynaguard.engine import choose_controls, new_run_id
    from dynaguard.logs import setup_logging
    from dynaguard.provisioning import SpecDefaults, load_spec, preset_text

    if args.show_schema:
        if not args.preset:
            raise UsageError("--show-schema needs --preset")
        sys.stdout.write(preset_text(args.preset))
        return 0
    check_external_id(args.external_id, args.role_arn)
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    config = load_config(args.config)
    controls = choose_controls(config, controls_arg(args))
    defaults = SpecDefaults(
        region=args.region,
        fallback_region=None if args.region else _default_region(args),
        kms_key_arn=args.kms_key,
        table_name=args.name,
        tags=_tags(args.tag),
        baseline=config.baseline,
        enforce_required_tags=any(c.id == "DDB.017" for c in controls),
        alarm_topic=args.alarm_topic,
    )
    spec = load_spec(schema=args.schema, preset=args.preset, defaults=defaults)
    if spec.alarm_topic:
        from dynaguard.provisioning.alarms import check_topic

        check_topic(spec.alarm_topic, spec.region)
    if args.emit:
        return _emit(spec, controls, config, run_id, args)
    return _provision_live(spec, config, run_id, args)


def _emit(spec: Any, controls: Any, config: Any, run_id: str, args: argparse.Namespace) -> int:
    from dynaguard.provisioning import offline_plan, render_cloudformation, render_terraform

    if args.emit == "terraform":
        code = render_terraform(spec)
    else:
        code = render_cloudformation(spec, as_json=str(args.output or "").endswith(".json"))
    plan = offline_plan(spec, controls, config, run_id)
    summary = plan.preflight.summary()
    if args.output:
        try:
            Path(args.output).write_text(code, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.emit} for table {spec.table_name} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(code)
    counts = ", ".join(f"{n} {s}" for s, n in summary.items() if n)
    print(f"baseline check of the rendered table: {counts}", file=sys.stderr)
    for f in plan.preflight.findings:
        if f.status.value in ("FAIL", "UNKNOWN"):
            print(f"  {f.status.value} {f.control_id}: {clean_line(f.reason)}", file=sys.stderr)
    return 0


def _provision_live(spec: TableSpec, config: Config, run_id: str, args: argparse.Namespace) -> int:
    """Plan, show the plan, confirm, create: :func:`dynaguard.provisioning.provision`."""
    from dynaguard.cli.commands import controls_arg
    from dynaguard.provisioning import Waiting, provision, render_plan
    from dynaguard.sources.aws.options import AwsOptions

    out = sys.stderr if args.format == "json" else sys.stdout
    shown = [False]

    def show(plan: Plan) -> None:
        out.write(render_plan(plan))
        out.flush()
        shown[0] = True

    def ask(plan: Plan) -> bool:
        show(plan)
        return bool(args.yes) or _confirmed(plan)

    options = AwsOptions(
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
        concurrency=4,
    )
    result = provision(
        spec,
        options,
        config=config,
        controls=controls_arg(args),
        dry_run=args.dry_run,
        confirm=ask,
        waiting=Waiting(delay_s=args.poll_interval, timeout_s=args.wait_timeout),
        run_id=run_id,
    )
    if not shown[0]:
        show(result.plan)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
        return result.exit_code
    lines = [
        f"  {r.status:<13} {r.action} in {r.region}: {r.summary}"
        + (f" ({r.detail})" if r.detail and r.status == "failed" else "")
        for r in result.results
    ]
    lines.append(result.closing())
    sys.stdout.write("\n".join(clean_line(line) for line in lines) + "\n")  # AWS error texts
    return result.exit_code


def _confirmed(plan: Plan) -> bool:
    """Ask on the terminal; without one (and without --yes) nothing is created."""
    if not sys.stdin.isatty():
        print(
            "dynaguard: not creating: confirmation needed but stdin is not a terminal "
            "(pass --yes to create without asking)",
            file=sys.stderr,
        )
        return False
    question = f"Create table {plan.spec.table_name} in {plan.spec.region}? [y/N] "
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        print("cancelled: nothing created", file=sys.stderr)
        return False
    return True
