"""``dynaguard scan``: one account or many, a shard or all, the report to a file, stdout or S3."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from dynaguard.controls.base import Severity
from dynaguard.errors import UsageError
from dynaguard.logs import get_logger, setup_logging
from dynaguard.s3io import is_s3_url, parse_s3_url, upload

CONTENT_TYPES = {"json": "application/json", "sarif": "application/sarif+json"}


def cmd_scan(args: argparse.Namespace) -> int:
    from dynaguard.cli.commands import _aws_options, _controls_arg
    from dynaguard.cli.org_options import account_selection, rate_limit, shard_spec
    from dynaguard.engine import new_run_id
    from dynaguard.fleet_scan import FleetOptions, scan_fleet

    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    selection = account_selection(args)
    options = replace(
        _aws_options(args),
        role_name=selection.role_name,
        rate_limit=rate_limit(args, selection),
    )
    shard = shard_spec(args)
    log = get_logger("cli")
    log.info("scan started")
    with fleet_progress_bar() as progress:
        result = scan_fleet(
            options,
            FleetOptions(selection, shard),
            config=args.config,
            controls=_controls_arg(args),
            run_id=run_id,
            progress=progress,
        )
    try:
        log.info("scan finished: %s", result.tally.summary())
        write_result(result, args, options)
        return result.exit_code(Severity(args.fail_on))
    finally:
        result.spool.close()


def write_result(result: Any, args: argparse.Namespace, options: Any) -> None:
    """The report to ``--output`` (a file, or ``s3://``), else stdout: JSON streams from the
    spool; other formats are rendered from the whole report."""
    if args.output and is_s3_url(args.output):
        _write_s3(result, args, options)
        return
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                _render(result, args, out, color=False)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        if args.format != "terminal":
            _wrote(args.output, result)
        return
    color = sys.stdout.isatty() and not args.no_color
    _render(result, args, sys.stdout, color=color)
    sys.stdout.flush()


def _render(result: Any, args: argparse.Namespace, out: IO[str], color: bool) -> None:
    if args.format == "json":
        from dynaguard.formats.json_stream import write_json

        write_json(result.header(), result.spool.dicts(), out)
        return
    from dynaguard.formats import get_renderer

    render = get_renderer(args.format, color=color, show_passed=args.show_passed)
    out.write(render(result.to_report()))


def _write_s3(result: Any, args: argparse.Namespace, options: Any) -> None:
    from dynaguard.sources.aws.session import AwsSession

    location = parse_s3_url(args.output)
    ext = {"terminal": "txt"}.get(args.format, args.format)
    name = f"report.{ext}"
    if result.shard:
        name = f"shard-{result.shard['index']}-of-{result.shard['count']}.{ext}"
    location = location.named(name)
    with tempfile.TemporaryDirectory(prefix="dynaguard-out-") as tmp:
        path = Path(tmp) / name
        with open(path, "w", encoding="utf-8") as out:
            _render(result, args, out, color=False)
        session = AwsSession(options, result.run_id)
        client = session.client("s3", session.home_region)
        upload(client, path, location, CONTENT_TYPES.get(args.format, "text/plain"))
    _wrote(location.url, result)


def _wrote(target: str, result: Any) -> None:
    summary = ", ".join(f"{v} {k}" for k, v in result.tally.summary().items() if v)
    print(f"wrote {target}: {summary or 'no findings'}", file=sys.stderr)


@contextmanager
def fleet_progress_bar() -> Iterator[Callable[[Any], None] | None]:
    """Progress on stderr while collecting (only when stderr is a terminal): (account, region)
    units and tables, each done of known so far."""
    if not sys.stderr.isatty():
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
        units = bar.add_task("account-regions", total=None)
        tables = bar.add_task("tables", total=None)

        def update(p: Any) -> None:
            bar.update(units, completed=p.units_done, total=p.units_total or None)
            bar.update(tables, completed=p.tables_done, total=p.tables_total or None)

        yield update
