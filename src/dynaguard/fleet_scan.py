"""Live scans of one or many accounts, findings streamed to a spool: the engine of ``scan``.

    result = scan_fleet(AwsOptions(regions=("us-east-1",), role_name="audit"),
                        FleetOptions(AccountSelection(org=True, role_name="audit")))
    for finding in result.spool.findings(): ...

Each account is evaluated the moment its reads are done (controls are pure, so an account's
verdicts need nothing from the others) and its findings go to the spool; nothing holds the
whole organization. ``SpooledReport`` is the report without its findings in memory: the JSON
writer streams them, ``to_report()`` materialises a ``Report`` for the other formats.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.config import Config
from dynaguard.controls.base import Control
from dynaguard.engine import choose_controls, new_run_id, resolve_config
from dynaguard.errors import UsageError
from dynaguard.evaluate import evaluate
from dynaguard.fingerprint import config_hash
from dynaguard.model import Severity
from dynaguard.report import Finding, Report, utc_now
from dynaguard.sources.aws.collect import facts_needed, with_implied
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org import AccountSelection, resolve_targets
from dynaguard.sources.aws.org_run import AccountResult, FleetCollector, FleetPlan, FleetProgress
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.units import ShardSpec
from dynaguard.spool import FindingSpool, Tally


@dataclass(frozen=True, slots=True)
class FleetOptions:
    """Which accounts, which shard of the (account, region) units."""

    selection: AccountSelection = field(default_factory=AccountSelection)
    shard: ShardSpec = field(default_factory=ShardSpec)
    workers: int = 1  # local processes (multi-account scans; see fleet_workers)


@dataclass(slots=True)
class SpooledReport:
    """A report whose findings are in ``spool`` (sorted, de-duplicated, counted in ``tally``)."""

    run_id: str
    source: str
    controls: tuple[str, ...]
    notices: tuple[str, ...]
    stats: dict[str, Any]
    config_hash: str
    shard: dict[str, int] | None
    spool: FindingSpool
    tally: Tally
    incomplete: bool = False  # a merge that lacks shards: at best exit 3
    started_at: str = field(default_factory=utc_now)
    scope: dict[str, Any] = field(default_factory=dict)
    config_path: str | None = None

    def header(self) -> dict[str, Any]:
        """The JSON report without its findings (the findings contract's top level, in the
        order ``Report.to_dict`` writes it)."""
        data = self._report(()).to_dict()
        data["summary"] = self.tally.summary()
        del data["findings"]
        return data

    @property
    def findings(self) -> Iterator[Finding]:
        """The findings in report order, read from the spool one at a time."""
        return self.spool.findings()

    def summary(self) -> dict[str, int]:
        return self.tally.summary()

    def scope_key(self) -> str:
        return self._report(()).scope_key()

    def exit_code(self, fail_on: Severity = Severity.LOW) -> int:
        code = self.tally.exit_code(fail_on)
        return 3 if code == 0 and self.incomplete else code

    def to_report(self) -> Report:
        """The whole report in memory (for formats that need every finding at once)."""
        return self._report(tuple(self.spool.findings()))

    def _report(self, findings: tuple[Finding, ...]) -> Report:
        return Report(
            run_id=self.run_id,
            source=self.source,
            findings=findings,
            controls=self.controls,
            notices=self.notices,
            stats=self.stats,
            started_at=self.started_at,
            scope=self.scope,
            config_path=self.config_path,
            config_hash=self.config_hash,
            shard=self.shard,
        )


def scope_of(options: AwsOptions, selection: AccountSelection) -> dict[str, Any]:
    """What the scan covers, for the config hash (every shard of one scan shares it)."""
    return {
        "regions": sorted(options.regions),
        "all_regions": options.all_regions,
        "selection": options.selection.to_dict(),
        "org": selection.org,
        "accounts": sorted(selection.accounts),
        "exclude": sorted(selection.exclude),
        "ous": sorted(selection.ous),
        "role_name": selection.role_name,
    }


class _Collected:
    """Findings and figures of the accounts handed on so far (in this process or a worker)."""

    def __init__(self) -> None:
        self.spool = FindingSpool()
        self.notices: dict[str, None] = {}
        self.units: dict[str, int] = {}
        self.failed: list[str] = []

    def add(
        self,
        account_id: str,
        lines: list[str],
        notes: list[str],
        units: dict[str, int],
        failed: str | None,
    ) -> None:
        self.spool.add_lines(account_id, lines)
        self.notices.update(dict.fromkeys(notes))
        self.units.update(units)
        if failed:
            self.failed.append(f"account {account_id}: {failed}")


def judge_account(
    result: AccountResult, options: AwsOptions, selected: list[Control], cfg: Config
) -> tuple[list[Finding], list[str]]:
    """Findings of one collected account. Only what the selection names is judged
    (model/selection.py): the same rule as a one-account scan, so a filter never lets an
    unselected resource change the exit code."""
    return evaluate(options.selection.narrow(result.inventory), selected, cfg)


def scan_fleet(
    options: AwsOptions,
    fleet: FleetOptions | None = None,
    *,
    config: Config | str | Path | None = None,
    controls: list[str] | None = None,
    run_id: str | None = None,
    recorder: CallRecorder | None = None,
    progress: Callable[[FleetProgress], None] | None = None,
) -> SpooledReport:
    """Collect and evaluate every selected account (this shard's units), streaming findings."""
    fleet = fleet or FleetOptions()
    cfg = resolve_config(config)
    selected = choose_controls(cfg, controls, options.selection)
    run_id = run_id or new_run_id()
    recorder = recorder if recorder is not None else CallRecorder()
    started_at, started = utc_now(), time.perf_counter()
    base = AwsSession(options, run_id, recorder)
    targets = resolve_targets(base, fleet.selection)
    plan = FleetPlan(
        targets,
        fleet.shard,
        check_regions=fleet.selection.fan_out,
        strict=not fleet.selection.fan_out,
    )
    collected = _Collected()
    missing: set[str] = set()
    regions: set[str] = set()
    calls = Counter(recorder.by_action())
    workers = fleet.workers if fleet.selection.fan_out else 1
    if workers > 1:
        from dynaguard.fleet_workers import run_workers, worker_jobs

        ids = tuple(c.id for c in selected)
        jobs = worker_jobs(workers, options, plan, config, ids, run_id)
        totals = run_workers(jobs, collected.add, progress)
        done, calls = totals.progress, calls + totals.calls
    else:

        def on_account(result: AccountResult) -> None:
            missing.update(options.selection.missing_dax_clusters(result.inventory))
            regions.update(scope.region for scope in result.inventory.regions)
            findings, notes = judge_account(result, options, selected, cfg)
            lines = [json.dumps(f.to_dict(), ensure_ascii=False) for f in findings]
            units = {
                f"{s.account_id}/{s.region}": len(s.table_list()) for s in result.inventory.regions
            }
            collected.add(result.account_id, lines, notes, units, result.failed)

        facts = with_implied(facts_needed(selected))
        done = FleetCollector(base, plan, facts, on_account, progress).run()
        calls = Counter(recorder.by_action())
    tally = collected.spool.finish()
    if missing and not fleet.selection.fan_out:
        raise UsageError(
            f"DAX cluster(s) not found in {', '.join(sorted(regions))}: "
            f"{', '.join(sorted(missing))}"
        )
    stats: dict[str, Any] = {
        "elapsed_s": round(time.perf_counter() - started, 3),
        "tables": sum(collected.units.values()),
        "accounts": len(targets),
        "accounts_scanned": done.accounts_done,
        "units": done.units_total,
        "workers": workers,
        "api_calls": dict(sorted(calls.items())),
        "api_calls_total": sum(calls.values()),
        "unit_tables": dict(sorted(collected.units.items())),
    }
    shard = (
        None if fleet.shard.count == 1 else {"index": fleet.shard.index, "count": fleet.shard.count}
    )
    return SpooledReport(
        run_id=run_id,
        source="aws",
        controls=tuple(c.id for c in selected),
        notices=tuple(collected.notices) + tuple(collected.failed),
        stats=stats,
        config_hash=config_hash(cfg, (c.id for c in selected), scope_of(options, fleet.selection)),
        shard=shard,
        spool=collected.spool,
        tally=tally,
        started_at=started_at,
    )
