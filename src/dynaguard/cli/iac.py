"""``dynaguard iac PATH...``: the baseline on Terraform, Terraform plans and CloudFormation."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dynaguard.controls.base import Severity
from dynaguard.formats import IAC_FORMATS

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
    common.output(parser)
    _widen_formats(parser)
    parser.set_defaults(func=cmd_iac)


def _widen_formats(parser: argparse.ArgumentParser) -> None:
    """The shared --format option, with the IaC formats (sarif, junit) added."""
    for action in parser._actions:
        if "--format" in action.option_strings:
            action.choices = IAC_FORMATS
            action.help = f"report format: {', '.join(IAC_FORMATS)} (default: terminal)"


def cmd_iac(args: argparse.Namespace) -> int:
    from dynaguard.cli.commands import write_report
    from dynaguard.engine import new_run_id
    from dynaguard.logs import get_logger, setup_logging
    from dynaguard.sources.iac.scan import scan_iac

    _check_var_files(args.var_file)
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    controls = [c for c in (args.controls or "").split(",") if c.strip()]
    result = scan_iac(
        args.paths, config=args.config, controls=controls, var_files=args.var_file, run_id=run_id
    )
    for problem in result.problems:
        print(f"dynaguard: {problem.describe()}", file=sys.stderr)
    get_logger("cli").info("iac finished: %s", result.report.summary())
    write_report(result.report, args)
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
