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

limits: each root module, plan or template is parsed in a worker process (one per core,
--jobs) under --parse-timeout and --parse-memory; a unit over a limit, a parser crash, a file
above --max-file-size or one that cannot be read is one line "dynaguard: FILE:LINE: message"
on stderr, and every other unit is still scanned. FIFOs, sockets and devices are skipped.

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
    _add_limits(parser)
    common.common(parser)
    common.output(parser, common.IAC_FORMATS)
    common.history(parser)
    parser.set_defaults(func=cmd_iac)


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value

    return parse


def _add_limits(parser: argparse.ArgumentParser) -> None:
    from dynaguard.sources.iac.files import IacLimits

    defaults = IacLimits()
    group = parser.add_argument_group("limits (hostile or broken code costs one unit, not the run)")
    group.add_argument(
        "--max-file-size",
        type=_positive(float),
        metavar="MB",
        help=f"larger files are reported, not read (default {defaults.max_file_mb:g}; "
        "config iac.max_file_mb)",
    )
    group.add_argument(
        "--parse-timeout",
        type=_positive(float),
        metavar="SECONDS",
        help=f"per root module, plan or template (default {defaults.timeout_s:g}; "
        "config iac.timeout_s)",
    )
    group.add_argument(
        "--parse-memory",
        type=_positive(int),
        metavar="MB",
        help=f"per worker process (default {defaults.memory_mb}; config iac.memory_mb)",
    )
    group.add_argument(
        "--jobs",
        "-j",
        type=_positive(int),
        metavar="N",
        help="worker processes (default: one per core; config iac.jobs)",
    )


def cmd_iac(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from dynaguard.cli.commands import controls_arg, write_report
    from dynaguard.cli.history import check_history_options, record_run
    from dynaguard.engine import new_run_id, resolve_config
    from dynaguard.iac_scan import scan_iac
    from dynaguard.logs import get_logger, setup_logging
    from dynaguard.model import Severity
    from dynaguard.sanitize import clean_line

    _check_var_files(args.var_file)
    check_history_options(args)
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    config = resolve_config(args.config)
    given = {
        "max_file_mb": args.max_file_size,
        "timeout_s": args.parse_timeout,
        "memory_mb": args.parse_memory,
        "jobs": args.jobs,
    }  # the options win over the iac: section of the configuration
    limits = replace(config.iac, **{k: v for k, v in given.items() if v is not None})
    result = scan_iac(
        args.paths,
        config=config,
        controls=controls_arg(args),
        var_files=args.var_file,
        run_id=run_id,
        limits=limits,
    )
    lines = [clean_line(problem.describe()) for problem in result.problems]
    for line in lines:
        print(f"dynaguard: {line}", file=sys.stderr)
    get_logger("cli").info("iac finished: %s", result.report.summary())
    report = replace(result.report, scope=iac_scope(args), config_path=args.config)
    shown = report
    if args.format == "terminal":  # printed once: on stderr above, not again as notes
        notices = tuple(n for n in report.notices if n not in set(lines))
        shown = replace(report, notices=notices)
    write_report(shown, args)
    record_run(report, args, "iac")
    return result.exit_code(Severity(args.fail_on))


def iac_scope(args: argparse.Namespace) -> dict[str, object]:
    """The paths and var files (resolved, de-duplicated, sorted) and the controls: runs of one
    scope are compared by ``diff``, however the same paths were spelled."""
    from pathlib import Path

    from dynaguard.cli.commands import controls_scope

    scope: dict[str, object] = {"paths": sorted({str(Path(p).resolve()) for p in args.paths})}
    if args.var_file:
        scope["var_files"] = sorted({str(Path(v).resolve()) for v in args.var_file})
    if args.controls:
        scope["controls"] = controls_scope(args)
    return scope


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
