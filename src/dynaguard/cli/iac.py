"""``dynaguard iac PATH...``: the baseline on Terraform, Terraform plans and CloudFormation."""

from __future__ import annotations

import argparse
import sys
from typing import Any

IAC_HELP = """inputs: .tf / .tf.json (a directory is a module; local modules are followed),
plan JSON
(terraform show -json plan.out > plan.json), CloudFormation YAML/JSON (short tags included) and
CDK output (cdk.out/*.template.json), recursively; .terraform/, .git/, node_modules/ are skipped.

inline suppression (on or directly above the resource; the reason is required):
  # dynaguard:ignore DDB.013 streams are not needed for this cache table

exit codes: 0 nothing failing at or above --fail-on; 1 failing findings; 2 usage error;
            3 incomplete (UNKNOWN findings or a file that does not parse), nothing failing
"""


def register(subparsers: Any, common: Any) -> None:
    parser = subparsers.add_parser(
        "iac",
        help="audit Terraform, Terraform plans and CloudFormation templates",
        description="Run the dynaguard baseline on infrastructure code, before it is deployed.",
        epilog=IAC_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories (default: the current directory)",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="Terraform variables file (repeatable; *.auto.tfvars are read anyway)",
    )
    common.common(parser)
    common.output(parser, common.IAC_FORMATS)
    common.history(parser)
    parser.set_defaults(func=cmd_iac)


def cmd_iac(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from dynaguard.cli.commands import controls_arg, write_report
    from dynaguard.cli.history import check_history_options, record_run
    from dynaguard.engine import new_run_id
    from dynaguard.logs import get_logger, setup_logging
    from dynaguard.model import Severity
    from dynaguard.sanitize import clean_line
    from dynaguard.sources.iac.scan import scan_iac

    _check_var_files(args.var_file)
    check_history_options(args)
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    result = scan_iac(
        args.paths,
        config=args.config,
        controls=controls_arg(args),
        var_files=args.var_file,
        run_id=run_id,
    )
    for problem in result.problems:
        print(f"dynaguard: {clean_line(problem.describe())}", file=sys.stderr)
    get_logger("cli").info("iac finished: %s", result.report.summary())
    scope: dict[str, object] = {"paths": sorted(str(Path(p).resolve()) for p in args.paths)}
    if args.var_file:
        scope["var_files"] = sorted(args.var_file)
    if args.controls:
        scope["controls"] = sorted(controls_arg(args))
    report = replace(result.report, scope=scope, config_path=args.config)
    write_report(report, args)
    record_run(report, args, "iac")
    return result.exit_code(Severity(args.fail_on))


def _check_var_files(names: list[str]) -> None:
    """A --var-file that is not a readable file is a usage error (exit 2): scanning without the
    values it was meant to supply would judge other code than the one deployed."""
    from pathlib import Path

    from dynaguard.errors import UsageError
    from dynaguard.sanitize import short_repr

    for name in names:
        path = Path(name)
        if not path.is_file():
            what = "a directory" if path.is_dir() else "not found"
            raise UsageError(f"--var-file {short_repr(name)}: {what}")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise UsageError(f"--var-file {short_repr(name)}: {exc.strerror or exc}") from None
