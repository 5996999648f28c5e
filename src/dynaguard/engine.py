"""The library API: select controls -> collect -> evaluate -> suppress -> Report.

import dynaguard
report = dynaguard.scan(regions=("us-east-1",), prefix="sentinel-")
for finding in report.findings: ...
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dynaguard.config import Config, load_config
from dynaguard.controls.base import Control
from dynaguard.controls.registry import all_controls, control_ids
from dynaguard.errors import UsageError
from dynaguard.evaluate import evaluate, select_controls
from dynaguard.model import Inventory
from dynaguard.report import Report


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def resolve_config(config: Config | str | Path | None) -> Config:
    if isinstance(config, Config):
        return config
    return load_config(config)


def choose_controls(config: Config, only: Iterable[str] | None = None) -> list[Control]:
    """The controls to run: enabled in config, or exactly ``only`` (validated ids)."""
    wanted = [c.strip().upper() for c in only or () if c.strip()]
    known = set(control_ids())
    bad = [c for c in wanted if c not in known]
    if bad:
        raise UsageError(f"unknown control id(s): {', '.join(bad)} (see 'dynaguard controls')")
    return select_controls(all_controls(), config, wanted or None)


def report_from_inventory(
    inventory: Inventory,
    controls: list[Control],
    config: Config,
    run_id: str,
    stats: dict[str, Any] | None = None,
) -> Report:
    findings, notices = evaluate(inventory, controls, config)
    return Report(
        run_id=run_id,
        source=inventory.source,
        findings=tuple(findings),
        controls=tuple(c.id for c in controls),
        notices=tuple(notices),
        stats=stats or {},
    )


def scan(
    options: Any = None,
    *,
    config: Config | str | Path | None = None,
    controls: Iterable[str] | None = None,
    run_id: str | None = None,
    recorder: Any = None,
    progress: Callable[[int, int], None] | None = None,
    **option_fields: Any,
) -> Report:
    """Audit live AWS: ``options`` is an AwsOptions, or pass its fields as keywords."""
    from dynaguard.sources.aws.collect import collect, facts_needed
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.recorder import CallRecorder

    recorder = recorder if recorder is not None else CallRecorder()
    if options is None:
        options = AwsOptions(**option_fields)
    elif option_fields:
        raise UsageError("pass either an AwsOptions or option keywords, not both")
    cfg = resolve_config(config)
    selected = choose_controls(cfg, controls)
    run_id = run_id or new_run_id()
    started = time.perf_counter()
    inventory = collect(
        options, facts_needed(selected), run_id=run_id, recorder=recorder, progress=progress
    )
    elapsed = time.perf_counter() - started
    stats: dict[str, Any] = {
        "elapsed_s": round(elapsed, 3),
        "tables": sum(1 for _ in inventory.tables()),
    }
    if recorder is not None:
        stats["api_calls"] = dict(sorted(recorder.by_action().items()))
        stats["api_calls_total"] = recorder.total()
    return report_from_inventory(inventory, selected, cfg, run_id, stats)
