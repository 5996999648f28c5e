"""The commands: parse options into library calls and pick a format."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dynaguard.errors import DynaguardError, UsageError
from dynaguard.formats import get_renderer
from dynaguard.report import Report

if TYPE_CHECKING:
    from dynaguard.sources.aws.options import AwsOptions


def _controls_arg(args: argparse.Namespace) -> list[str]:
    return [c for c in (args.controls or "").split(",") if c.strip()]


def write_report(report: Report, args: argparse.Namespace) -> None:
    """Render to --output or stdout; only the report goes to stdout."""
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color
    render = get_renderer(args.format, color=color, show_passed=args.show_passed)
    text = render(report)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        if args.format != "terminal":
            summary = ", ".join(f"{v} {k}" for k, v in report.summary().items() if v)
            print(f"wrote {args.output}: {summary or 'no findings'}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr while collecting, only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("collecting", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _aws_options(args: argparse.Namespace) -> AwsOptions:
    from dynaguard.sources.aws.options import AwsOptions

    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if args.match:
        import re

        try:
            re.compile(args.match)
        except re.error as exc:
            raise UsageError(f"--match is not a valid regular expression: {exc}") from None
    if args.all_regions and args.region:
        raise UsageError("use either --region or --all-regions, not both")
    return AwsOptions(
        regions=tuple(args.region),
        all_regions=args.all_regions,
        prefix=args.prefix,
        match=args.match,
        tables=tuple(args.table),
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency,
        retry_mode=args.retry_mode,
    )


def cmd_scan(args: argparse.Namespace) -> int:
    """One account or an organization, a shard or all: see ``dynaguard.cli.scan_run``."""
    from dynaguard.cli.scan_run import cmd_scan as run_scan

    return run_scan(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from dynaguard.cli.demo import run_demo

    return run_demo(args)


def cmd_controls(args: argparse.Namespace) -> int:
    from dynaguard.controls.registry import all_controls

    controls = all_controls()
    if args.format == "json":
        data = [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity.value,
                "resource": c.subject_kind,
                "facts": sorted(c.facts),
                "rationale": c.rationale,
                "remediation": c.remediation,
                "frameworks": dict(c.frameworks),
            }
            for c in controls
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="dynaguard baseline", show_lines=False)
    for col in ("id", "severity", "resource", "control", "frameworks"):
        table.add_column(col, overflow="fold")
    for c in controls:
        fw = "; ".join(f"{k} {v}" for k, v in c.frameworks.items())
        table.add_row(c.id, c.severity.value, c.subject_kind, c.title, fw)
    Console(no_color=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 140).print(
        table
    )
    return 0


__all__ = ["DynaguardError", "cmd_controls", "cmd_demo", "cmd_scan"]
