"""``dynaguard`` entry point: parse, dispatch, and turn every error into one line + exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from dynaguard import __version__
from dynaguard.cli.org_options import add_org_options
from dynaguard.cli.paths import check_output_path
from dynaguard.cli.selection import SELECTION_HELP, add_selection_options
from dynaguard.errors import DynaguardError
from dynaguard.exit_codes import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_USAGE

# The report formats (kept here, not imported from dynaguard.formats, so --help stays light).
SCAN_FORMATS = ("terminal", "json", "html", "csv", "asff", "ocsf", "sarif", "junit")
IAC_FORMATS = ("terminal", "json", "html", "sarif", "junit", "csv", "ocsf")

EXIT_HELP = """exit codes:
  scan, demo: 0 nothing failing at or above --fail-on; 1 failing findings;
              2 usage or input error; 3 audit incomplete (UNKNOWN findings), nothing failing
"""


def _add_output_options(
    p: argparse.ArgumentParser,
    formats: tuple[str, ...] = ("terminal", "json"),
    *,
    findings: bool = True,
) -> None:
    """--format (one of ``formats``), --output, --no-color; with ``findings`` (commands that
    report findings) also --fail-on, --show-passed and --quiet."""
    p.add_argument(
        "--format",
        choices=formats,
        default="terminal",
        help=f"report format: {', '.join(formats)} (default: terminal)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--no-color", action="store_true", help="no colours in the terminal report")
    if not findings:
        return
    p.add_argument(
        "--fail-on",
        choices=("low", "medium", "high", "critical"),
        default="low",
        help="lowest severity of a FAIL that makes the exit code 1 (default: low)",
    )
    p.add_argument("--show-passed", action="store_true", help="list passing findings too")
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="only failing findings, notices and the summary line",
    )


def _add_common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", "-c", metavar="FILE", help="YAML configuration file")
    p.add_argument(
        "--controls", metavar="IDS", help="comma-separated control ids to run, e.g. DDB.002,DDB.003"
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress to stderr (-vv debug, -vvv botocore too)",
    )
    p.add_argument("--log-format", choices=("text", "json"), default="text")


def _add_aws_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to scan")
    g.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help="region to scan (repeatable; default: the profile's region)",
    )
    g.add_argument("--all-regions", action="store_true", help="scan every enabled region")
    add_selection_options(p.add_argument_group("which resources", SELECTION_HELP))
    a = p.add_argument_group("credentials and endpoint")
    a.add_argument("--profile", help="AWS named profile")
    a.add_argument("--role-arn", help="assume this role first")
    a.add_argument("--external-id", help="external id for --role-arn")
    a.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator) for every client")
    t = p.add_argument_group("tuning")
    t.add_argument("--concurrency", type=int, default=32, help="parallel API calls (default 32)")
    t.add_argument(
        "--retry-mode",
        choices=("standard", "adaptive"),
        default="standard",
        help="botocore retry mode for throttling (default: standard)",
    )


def _add_history_options(p: argparse.ArgumentParser) -> None:
    from dynaguard.cli.history import add_history_options

    add_history_options(p)


# Commands living in their own module ``dynaguard.cli.<name>``, each exposing
# ``register(subparsers, common)`` that adds its parser and sets ``func``.
EXTRA_COMMANDS = ("harden", "undo", "runs", "iac", "provision", "history", "merge", "drill")
# Commands registered by a module of another name.
COMMAND_MODULES = {"diff": "history"}


class CommonOptions:
    """The option groups shared by commands, handed to each command module's ``register``."""

    aws = staticmethod(_add_aws_options)
    common = staticmethod(_add_common_options)
    output = staticmethod(_add_output_options)
    history = staticmethod(_add_history_options)
    SCAN_FORMATS = SCAN_FORMATS
    IAC_FORMATS = IAC_FORMATS


def _register_extra(sub: Any, name: str) -> None:
    module = importlib.import_module(f"dynaguard.cli.{name}")
    module.register(sub, CommonOptions)


def _command(module: str, name: str) -> Any:
    """``dynaguard.cli.<module>.<name>``, imported when the command runs (not for --help)."""

    def call(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(f"dynaguard.cli.{module}"), name)(args))

    return call


class OneLineParser(argparse.ArgumentParser):
    """Usage errors are one line on stderr (and exit 2), not the whole usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


CONFIG_NAMES = ("dynaguard.yaml", ".dynaguard.yaml")


def discover_config(args: argparse.Namespace) -> None:
    """Without --config, ./dynaguard.yaml (or ./.dynaguard.yaml) is the configuration."""
    if not hasattr(args, "config") or args.config:
        return
    for name in CONFIG_NAMES:
        if Path(name).is_file():
            args.config = name
            print(f"dynaguard: using the configuration in ./{name}", file=sys.stderr)
            return


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` (the command being run) the other command modules are
    not imported, so a command's start-up does not pay for the others' imports."""
    parser = OneLineParser(
        prog="dynaguard",
        description="Audit Amazon DynamoDB against the dynaguard security baseline.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dynaguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan",
        help="audit live DynamoDB tables, DAX clusters, IAM and VPCs",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_aws_options(scan)
    add_org_options(scan, scan=True)
    _add_common_options(scan)
    _add_output_options(scan, SCAN_FORMATS)
    _add_history_options(scan)
    scan.add_argument(
        "--security-hub",
        action="store_true",
        help="import the findings into AWS Security Hub (each finding's region); resolve "
        "what passes now, archive what is gone (policy: security-hub-export-policy.json)",
    )
    scan.set_defaults(func=_command("scan_run", "cmd_scan"))

    demo = sub.add_parser("demo", help="run the whole story on an embedded AWS emulator")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep the seeded emulator running and print its endpoint",
    )
    _add_common_options(demo)
    _add_output_options(demo)
    demo.set_defaults(func=_command("demo", "run_demo"))

    for name in EXTRA_COMMANDS:
        if only is None or only == name or COMMAND_MODULES.get(only) == name:
            _register_extra(sub, name)

    ctl = sub.add_parser("controls", help="list the baseline controls and framework mappings")
    ctl.add_argument("--format", choices=("terminal", "json"), default="terminal")
    ctl.set_defaults(func=_command("commands", "cmd_controls"))
    return parser


# Commands that change AWS resources document exit codes 0 / 1 / 2 only: an audit that could not
# complete (3 for scan and iac) is a failure (1) for them.
CHANGE_COMMANDS = frozenset({"harden", "provision", "drill"})


def run(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    known = command in EXTRA_COMMANDS or command in COMMAND_MODULES
    parser = build_parser(command if known else None)
    args = parser.parse_args(words)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    discover_config(args)
    try:
        if getattr(args, "output", None):  # before any work: nothing planned, nothing changed
            check_output_path(args.output)
        return int(args.func(args))
    except DynaguardError as exc:
        from dynaguard.sanitize import clean

        print(f"{command_prog(args)}: error: {clean(str(exc))}", file=sys.stderr)
        if exc.exit_code == EXIT_INCOMPLETE and command in CHANGE_COMMANDS:
            return EXIT_FAILED  # their documented codes are 0 / 1 / 2: "could not" is a failure
        return exc.exit_code
    except KeyboardInterrupt:
        print("dynaguard: interrupted", file=sys.stderr)
        return 130


def command_prog(args: argparse.Namespace) -> str:
    """``dynaguard scan``: what error lines start with, as argparse's own do."""
    command = getattr(args, "command", None)
    return f"dynaguard {command}" if command else "dynaguard"


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
