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

from dynaguard.errors import UsageError
from dynaguard.logs import get_logger, setup_logging
from dynaguard.model import Severity
from dynaguard.s3io import is_s3_url, parse_s3_url, upload

CONTENT_TYPES = {"json": "application/json", "sarif": "application/sarif+json"}


def cmd_scan(args: argparse.Namespace) -> int:
    from dynaguard.cli.commands import (
        aws_options,
        controls_arg,
        export_to_security_hub,
        show_last_drills,
    )
    from dynaguard.cli.history import check_history_options, record_run
    from dynaguard.cli.org_options import account_selection, rate_limit, shard_spec, workers
    from dynaguard.engine import new_run_id
    from dynaguard.fleet_scan import FleetOptions, scan_fleet

    check_history_options(args)
    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    selection = account_selection(args)
    options = replace(
        aws_options(args),
        role_name=selection.role_name,
        rate_limit=rate_limit(args, selection),
    )
    shard = shard_spec(args)
    log = get_logger("cli")
    log.info("scan started")
    with fleet_progress_bar() as progress:
        result = scan_fleet(
            options,
            FleetOptions(selection, shard, workers(args, selection)),
            config=args.config,
            controls=controls_arg(args),
            run_id=run_id,
            progress=progress,
        )
    try:
        log.info("scan finished: %s", result.tally.summary())
        result.scope = scan_scope(args)
        result.config_path = args.config
        write_result(result, args, options)
        show_last_drills(result.to_report, args)
        record_run(result, args, "scan")
        code = result.exit_code(Severity(args.fail_on))
        if args.security_hub:
            delivered = export_to_security_hub(result.to_report(), options, run_id)
            if not delivered and code == 0:
                return 3  # the findings could not all be delivered: incomplete
        return code
    finally:
        result.spool.close()


def scan_scope(args: argparse.Namespace) -> dict[str, object]:
    """The scan's scope for the history (runs of one scope are compared by ``diff``): the
    one-account scope plus the accounts and shard of a multi-account scan."""
    from dynaguard.cli.commands import scan_scope as account_scope
    from dynaguard.sources.aws.org import parse_account_ids

    def id_list(text: str | None) -> list[str]:  # "b, a,b" -> ["a", "b"]: one scope
        return sorted(parse_account_ids(text))

    scope = account_scope(args)
    extra = {
        "org": bool(getattr(args, "org", False)) or None,
        "ou": id_list(getattr(args, "ou", None)),
        "accounts": id_list(getattr(args, "accounts", None)),
        "exclude_accounts": id_list(getattr(args, "exclude_accounts", None)),
        "role_name": getattr(args, "role_name", None),
        "shard": getattr(args, "shard", None) or getattr(args, "shards", None),
    }
    return {**scope, **{k: v for k, v in extra.items() if v}}


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
        from dynaguard.formats.json_stream import write_json_lines

        write_json_lines(result.header(), result.spool.lines(), out)
        return
    from dynaguard.cli.commands import render_text

    out.write(render_text(result.to_report(), args, color))


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
    from dynaguard.cli.commands import terminal_progress

    with terminal_progress() as bar:
        if bar is None:
            yield None
            return
        units = bar.add_task("account-regions", total=None)
        tables = bar.add_task("tables", total=None)

        def update(p: Any) -> None:
            bar.update(units, completed=p.units_done, total=p.units_total or None)
            bar.update(tables, completed=p.tables_done, total=p.tables_total or None)

        yield update
