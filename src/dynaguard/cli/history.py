"""``dynaguard history`` and ``dynaguard diff``: the runs kept in the history store, and what
changed between two of them. Also the recording done by ``scan`` and ``iac``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.sanitize import clean, clean_line, json_safe


def register(subparsers: Any, common: Any) -> None:
    h = subparsers.add_parser(
        "history",
        help="list the recorded scan and iac runs, newest first",
        description="The runs recorded by 'dynaguard scan' and 'dynaguard iac' (newest first).",
    )
    h.add_argument("--format", choices=("terminal", "json"), default="terminal")
    h.add_argument("--limit", type=int, default=20, metavar="N", help="at most N runs (20)")
    h.add_argument("--state-dir", metavar="DIR", help="where the history lives")
    h.set_defaults(func=cmd_history)
    d = subparsers.add_parser(
        "diff",
        help="what changed between two runs (default: the last two of the same scope)",
        description="Findings that are new, resolved or changed between RUN_A and RUN_B.",
    )
    d.add_argument("runs", nargs="*", metavar="RUN", help="RUN_A RUN_B (ids or unique prefixes)")
    d.add_argument("--format", choices=("terminal", "json"), default="terminal")
    d.add_argument("--state-dir", metavar="DIR", help="where the history lives")
    d.set_defaults(func=cmd_diff)


def add_history_options(p: argparse.ArgumentParser) -> None:
    """--state-dir, --no-history, --since-last: for scan and iac."""
    g = p.add_argument_group("history")
    g.add_argument(
        "--state-dir", metavar="DIR", help="where the run history lives (default: user data dir)"
    )
    g.add_argument("--no-history", action="store_true", help="do not record this run")
    g.add_argument(
        "--since-last",
        action="store_true",
        help="after the report, what changed since the last run of the same scope",
    )


def check_history_options(args: argparse.Namespace) -> None:
    """Before any work: options that contradict each other."""
    if args.no_history and args.since_last:
        raise UsageError("--since-last needs the history: drop --no-history")


def _state_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.state_dir) if getattr(args, "state_dir", None) else None


def record_run(report: Any, args: argparse.Namespace, command: str) -> None:
    """Record the run (unless --no-history) and print the diff asked for by --since-last."""
    from dynaguard.history import diff_findings, open_history
    from dynaguard.history.store import config_hash

    check_history_options(args)
    if args.no_history:
        return
    try:
        store = open_history(_state_dir(args))
    except UsageError as exc:
        if args.since_last:
            raise
        said = clean(str(exc))
        print(f"dynaguard: warning: run not recorded in the history: {said}", file=sys.stderr)
        return
    with store:
        previous = store.runs(report.scope_key(), limit=1)
        store.record_run(report, command=command, config_hash=config_hash(report.config_path))
        if not args.since_last:
            return
        if not previous:
            text = "since last: no earlier run of this scope in the history\n"
        else:
            last = previous[0]
            result = diff_findings(
                last.run_id,
                store.findings(last.run_id),
                report.run_id,
                [f.to_dict() for f in report.findings],
            )
            text = render_diff(result)
    # beside a machine-readable report on stdout the diff goes to stderr
    out = sys.stdout if args.format == "terminal" or args.output else sys.stderr
    out.write(text)
    out.flush()


TREND_RUNS = 20


def trend_points(report: Any, args: argparse.Namespace) -> tuple[Any, ...]:
    """The last runs of the report's scope and the report itself, oldest first (for html)."""
    from dynaguard.history import open_history

    if getattr(args, "no_history", True):
        return ()
    try:
        with open_history(_state_dir(args)) as store:
            runs = store.runs(report.scope_key(), limit=TREND_RUNS - 1)
    except UsageError:
        return ()
    points = [(r.run_id, r.started_at, dict(r.summary)) for r in reversed(runs)]
    return (*points, (report.run_id, report.started_at, report.summary()))


def _read_history(args: argparse.Namespace) -> Any:
    """The history to read (None: nothing recorded yet); creates nothing, and a --state-dir
    that does not exist is a usage error."""
    from dynaguard.cli.paths import existing_state_dir
    from dynaguard.history import read_history

    return read_history(existing_state_dir(getattr(args, "state_dir", None)))


def cmd_history(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = _read_history(args)
    runs = []
    if store is not None:
        with store:
            runs = store.runs(limit=args.limit)
    if args.format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in runs], indent=2) + "\n")
        return 0
    if not runs:
        print("no runs recorded yet (dynaguard scan and dynaguard iac record theirs)")
        return 0
    for r in runs:
        counts = ", ".join(f"{n} {s}" for s, n in r.summary.items() if n) or "no findings"
        where = _scope_text(r.scope)  # a line from the history file: shown inert
        print(clean_line(f"{r.run_id}  {r.started_at}  {r.command:<4} {where}  {counts}"))
    return 0


def _scope_text(scope: Any) -> str:
    parts = []
    for key, value in sorted(dict(scope).items()):
        if value in (None, [], (), "", False):
            continue
        shown = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}={shown}")
    return " ".join(parts) or "default scope"


def cmd_diff(args: argparse.Namespace) -> int:
    from dynaguard.history import diff_findings

    if len(args.runs) not in (0, 2):
        raise UsageError("give two runs (RUN_A RUN_B), or none for the last two")
    store = _read_history(args)
    if store is None:
        raise UsageError("no runs in the history yet: run 'dynaguard scan' first")
    with store:
        if len(args.runs) == 2:
            first, second = store.run(args.runs[0]), store.run(args.runs[1])
        else:
            latest = store.runs(limit=1)
            if not latest:
                raise UsageError("no runs in the history yet: run 'dynaguard scan' first")
            pair = store.runs(latest[0].scope_key, limit=2)
            if len(pair) < 2:
                raise UsageError(
                    f"only one run of the scope of {latest[0].run_id}: nothing to compare"
                )
            second, first = pair
        result = diff_findings(
            first.run_id, store.findings(first.run_id), second.run_id, store.findings(second.run_id)
        )
    if args.format == "json":
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
        sys.stdout.write(json_safe(text) + "\n")
    else:
        sys.stdout.write(render_diff(result))
    return 0


def _line(f: Any) -> str:
    what = clean_line(f"{f['control_id']} {f['resource_type']} {f['resource_id']}")
    return f"  {f['status']:<8} {what}: {clean_line(f['reason'])}"


def render_diff(result: Any) -> str:
    """The terminal form of a RunDiff; strings from AWS or files pass through clean_line."""
    out = [f"since {result.run_a} (run {result.run_b}):"]
    if result.is_empty():
        out.append(f"  nothing changed ({result.unchanged} findings as before)")
    for title, items in (("new", result.new), ("resolved", result.resolved)):
        if items:
            out.append(f"{title} ({len(items)}):")
            out += [_line(f) for f in items]
    if result.changed:
        out.append(f"changed ({len(result.changed)}):")
        for c in result.changed:
            a, b = c["before"], c["after"]
            what = clean_line(f"{b['control_id']} {b['resource_type']} {b['resource_id']}")
            out.append(f"  {a['status']} -> {b['status']} {what}: {clean_line(b['reason'])}")
    return "\n".join(out) + "\n"
