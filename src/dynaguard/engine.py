"""The library API: select controls -> collect -> evaluate -> suppress -> Report.

import dynaguard
report = dynaguard.scan(regions=("us-east-1",), prefix="sentinel-")
for finding in report.findings: ...

The selection keywords (``prefix``, ``match``, ``tables``, ``dax_clusters``, ``include``,
``all_kinds``) mean what the command-line filters mean (selection.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynaguard.config import Config
from dynaguard.config_load import load_config
from dynaguard.controls.base import Control
from dynaguard.controls.registry import all_controls, control_ids
from dynaguard.errors import UsageError
from dynaguard.evaluate import evaluate, select_controls
from dynaguard.model import Inventory
from dynaguard.report import Report, utc_now
from dynaguard.selection import Selection

if TYPE_CHECKING:
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.recorder import CallRecorder

# Keywords of scan() that build its Selection rather than its AwsOptions.
SELECTION_KEYWORDS = frozenset(
    {"prefix", "match", "tables", "dax_clusters", "include", "all_kinds"}
)


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def resolve_config(config: Config | str | Path | None) -> Config:
    if isinstance(config, Config):
        return config
    return load_config(config)


def choose_controls(
    config: Config, only: Iterable[str] | None = None, selection: Selection | None = None
) -> list[Control]:
    """The controls to run: enabled in config, or exactly ``only`` (validated ids), judging
    only the kinds of resource ``selection`` covers. A control named in ``only`` that judges
    a kind outside the selection is a usage error, not a silently empty report."""
    wanted = [c.strip().upper() for c in only or () if c.strip()]
    known = set(control_ids())
    bad = [c for c in wanted if c not in known]
    if bad:
        raise UsageError(f"unknown control id(s): {', '.join(bad)} (see 'dynaguard controls')")
    chosen = select_controls(all_controls(), config, wanted or None)
    if selection is None:
        return chosen
    outside = [c for c in chosen if not selection.covers(c.subject_kind)]
    if wanted and outside:
        raise UsageError(selection.excludes_message(outside[0].id, outside[0].subject_kind))
    return [c for c in chosen if selection.covers(c.subject_kind)]


def selection_of(option_fields: dict[str, Any]) -> Selection:
    """Pop the selection keywords out of ``option_fields`` into a Selection."""
    words = {k: option_fields.pop(k) for k in list(option_fields) if k in SELECTION_KEYWORDS}
    return Selection.of(**words)


def report_from_inventory(
    inventory: Inventory,
    controls: list[Control],
    config: Config,
    run_id: str,
    stats: dict[str, Any] | None = None,
    started_at: str | None = None,
) -> Report:
    """The report of ``inventory``; ``started_at`` is when the run began (before collecting),
    so a slow collection does not move it (default: now)."""
    findings, notices = evaluate(inventory, controls, config)
    return Report(
        run_id=run_id,
        source=inventory.source,
        findings=tuple(findings),
        controls=tuple(c.id for c in controls),
        notices=tuple(notices),
        stats=stats or {},
        started_at=started_at or utc_now(),
    )


def scan(
    options: AwsOptions | None = None,
    *,
    config: Config | str | Path | None = None,
    controls: Iterable[str] | None = None,
    run_id: str | None = None,
    recorder: CallRecorder | None = None,
    progress: Callable[[int, int], None] | None = None,
    **option_fields: Any,
) -> Report:
    """Audit live AWS: ``options`` is an AwsOptions, or pass its fields as keywords (the
    selection as ``selection=Selection(...)`` or as ``prefix=``, ``tables=``, ...)."""
    from dynaguard.sources.aws.collect import collect, facts_needed
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.recorder import CallRecorder

    recorder = recorder if recorder is not None else CallRecorder()
    if options is None:
        if "selection" not in option_fields:
            option_fields["selection"] = selection_of(option_fields)
        options = AwsOptions(**option_fields)
    elif option_fields:
        raise UsageError("pass either an AwsOptions or option keywords, not both")
    cfg = resolve_config(config)
    selected = choose_controls(cfg, controls, options.selection)
    run_id = run_id or new_run_id()
    started_at, started = utc_now(), time.perf_counter()
    inventory = collect(
        options,
        facts_needed(selected, cfg.baseline),
        run_id=run_id,
        recorder=recorder,
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    stats: dict[str, Any] = {
        "elapsed_s": round(elapsed, 3),
        "tables": sum(1 for _ in inventory.tables()),
    }
    stats["api_calls"] = dict(sorted(recorder.by_action().items()))
    stats["api_calls_total"] = recorder.total()
    return report_from_inventory(inventory, selected, cfg, run_id, stats, started_at)
