"""What the commands share (the AWS options, the report written in ``--format``, the progress
bar, the scan's scope) and ``dynaguard controls``. Each command lives in its own module."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dynaguard.errors import UsageError
from dynaguard.formats import get_renderer
from dynaguard.report import Report
from dynaguard.sanitize import clean_line

if TYPE_CHECKING:
    from rich.progress import Progress

    from dynaguard.sources.aws.options import AwsOptions


def controls_arg(args: argparse.Namespace) -> list[str]:
    """The --controls option as a list of ids (validated by the engine)."""
    return [c for c in (args.controls or "").split(",") if c.strip()]


def render_text(report: Report, args: argparse.Namespace, color: bool) -> str:
    """The report in ``--format`` (html with its trend from the history)."""
    trend = ()
    if args.format == "html":
        from dynaguard.cli.history import trend_points

        trend = trend_points(report, args)
    render = get_renderer(
        args.format,
        color=color,
        show_passed=args.show_passed,
        quiet=getattr(args, "quiet", False),
        trend=trend,
    )
    return render(report)


def write_report(report: Report, args: argparse.Namespace) -> None:
    """Render to --output or stdout; only the report goes to stdout."""
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color
    text = render_text(report, args, color)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        summary = ", ".join(f"{v} {k}" for k, v in report.summary().items() if v)
        print(f"wrote {args.output}: {summary or 'no findings'}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@contextmanager
def terminal_progress(enabled: bool = True) -> Iterator[Progress | None]:
    """A transient rich progress display on stderr (None unless ``enabled`` and stderr is a
    terminal); the caller adds its tasks."""
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
        yield bar


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while collecting, only when stderr is a terminal."""
    with terminal_progress(enabled) as bar:
        if bar is None:
            yield None
            return
        task = bar.add_task("collecting", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# sts:AssumeRole ExternalId: 2-1224 characters of [\w+=,.@:/-]
# https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
_EXTERNAL_ID = r"[\w+=,.@:/-]{2,1224}"


def check_external_id(external_id: str | None, role_arn: str | None) -> None:
    import re

    if external_id is None:
        return
    if not role_arn:
        raise UsageError("--external-id goes with --role-arn or --role-name (the role to assume)")
    if not re.fullmatch(_EXTERNAL_ID, external_id):
        raise UsageError(
            f"--external-id {external_id!r}: AWS takes 2 to 1224 characters of letters, digits "
            "and +=,.@:/-"
        )


def aws_options(args: argparse.Namespace) -> AwsOptions:
    from dynaguard.cli.selection import selection_from_args
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
    check_external_id(args.external_id, args.role_arn or getattr(args, "role_name", None))
    return AwsOptions(
        regions=tuple(args.region),
        all_regions=args.all_regions,
        selection=selection_from_args(args),
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency,
        retry_mode=args.retry_mode,
    )


def show_last_drills(report_of: Callable[[], Report], args: argparse.Namespace) -> None:
    """In the terminal report: each table's last successful restore drill, when it has one."""
    if args.format != "terminal" or args.output or getattr(args, "no_history", False):
        return
    report = report_of()
    from dynaguard.drill.history import drill_lines, last_successful
    from dynaguard.history import open_history
    from dynaguard.logs import get_logger

    try:
        state = Path(args.state_dir) if getattr(args, "state_dir", None) else None
        with open_history(state) as store:
            lines = drill_lines(report.findings, last_successful(store))
    except Exception as exc:  # the history is a convenience here, never a scan failure
        get_logger("cli").debug("no drill history: %s", exc)
        return
    if lines:
        sys.stdout.write("\n".join(clean_line(line) for line in lines) + "\n")


def export_to_security_hub(report: Report, options: object, run_id: str) -> bool:
    """``--security-hub``: import, resolve, archive; one summary line and each failed record
    on stderr. True when every finding was delivered."""
    from dynaguard.exports.security_hub import export_report
    from dynaguard.sources.aws.session import AwsSession

    session = AwsSession(options, run_id)  # type: ignore[arg-type]
    result = export_report(
        report, lambda region: session.client("securityhub", region), session.account_id()
    )
    print(f"dynaguard: {result.summary()}", file=sys.stderr)
    for failure in result.failed:
        said = f"{failure['Id']}: {failure['ErrorCode']} {failure['ErrorMessage']}"
        print(f"dynaguard: Security Hub did not take {clean_line(said)}", file=sys.stderr)
    for reason in result.skipped:
        print(f"dynaguard: not imported: {clean_line(reason)}", file=sys.stderr)
    return not result.failed and not result.skipped


def scan_scope(args: argparse.Namespace) -> dict[str, object]:
    """What a scan was asked to cover: runs with the same scope are compared by diff. Each
    value is normalised (split, de-duplicated, sorted), so one selection spelled two ways
    (``--include table,iam`` or ``--include iam --include table``) is one scope."""
    scope: dict[str, object] = {
        "regions": sorted(set(args.region)) or (["all"] if args.all_regions else []),
        "prefix": args.prefix,
        "match": args.match,
        "tables": sorted(set(args.table)),
        "dax_clusters": sorted(set(getattr(args, "dax_cluster", None) or [])),
        "include": include_scope(args),
        "profile": args.profile,
        "role_arn": args.role_arn,
        "endpoint_url": args.endpoint_url,
    }
    if args.controls:
        scope["controls"] = controls_scope(args)
    return {k: v for k, v in scope.items() if v not in (None, [])}


def include_scope(args: argparse.Namespace) -> list[str]:
    """``--include`` / ``--all`` as the kinds they select: ``["iam", "table"]``, or ``["all"]``
    when every kind is (``--all`` and ``--include table,dax,iam,vpc,kms`` alike)."""
    from dynaguard.model.selection import ALL_KINDS, WORD_OF, parse_include

    kinds = parse_include(getattr(args, "include", None) or [])
    if getattr(args, "all_kinds", False) or kinds == ALL_KINDS:
        return ["all"]
    return sorted(WORD_OF[kind] for kind in kinds)


def controls_scope(args: argparse.Namespace) -> list[str]:
    """``--controls`` as a sorted set of ids (``ddb.002`` is ``DDB.002`` to the engine too)."""
    return sorted({c.strip().upper() for c in controls_arg(args)})


def cmd_controls(args: argparse.Namespace) -> int:
    from dynaguard.controls.registry import all_controls

    controls = all_controls()
    if args.format == "json":
        data = [  # the field names of findings: control_id, resource_type
            {
                "control_id": c.id,
                "title": c.title,
                "severity": c.severity.value,
                "resource_type": c.subject_kind,
                "facts": sorted(c.facts),
                "rationale": c.rationale,
                "remediation": c.remediation,
                "frameworks": {k: list(v) for k, v in c.frameworks.items()},
            }
            for c in controls
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="dynaguard baseline", show_lines=False)
    for col in ("control_id", "severity", "resource_type", "control", "frameworks"):
        table.add_column(col, overflow="fold")
    for c in controls:
        fw = "; ".join(f"{k} {', '.join(v)}" for k, v in c.frameworks.items())
        table.add_row(c.id, c.severity.value, c.subject_kind, c.title, fw)
    Console(no_color=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 140).print(
        table
    )
    return 0
