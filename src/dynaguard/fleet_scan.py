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

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.config import Config
from dynaguard.controls.base import Severity
from dynaguard.engine import choose_controls, new_run_id, resolve_config
from dynaguard.evaluate import evaluate
from dynaguard.fingerprint import config_hash
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
    selected = choose_controls(cfg, controls)
    run_id = run_id or new_run_id()
    recorder = recorder if recorder is not None else CallRecorder()
    started = time.perf_counter()
    base = AwsSession(options, run_id, recorder)
    targets = resolve_targets(base, fleet.selection)
    plan = FleetPlan(
        targets,
        fleet.shard,
        check_regions=fleet.selection.fan_out,
        strict=not fleet.selection.fan_out,
    )
    spool = FindingSpool()
    notices: dict[str, None] = {}
    units: dict[str, int] = {}
    failed: list[str] = []

    def on_account(result: AccountResult) -> None:
        findings, notes = evaluate(result.inventory, selected, cfg)
        spool.add(result.account_id, findings)
        notices.update(dict.fromkeys(notes))
        for scope in result.inventory.regions:
            units[f"{scope.account_id}/{scope.region}"] = len(scope.table_list())
        if result.failed:
            failed.append(f"account {result.account_id}: {result.failed}")

    facts = with_implied(facts_needed(selected))
    done = FleetCollector(base, plan, facts, on_account, progress).run()
    tally = spool.finish()
    stats: dict[str, Any] = {
        "elapsed_s": round(time.perf_counter() - started, 3),
        "tables": sum(units.values()),
        "accounts": len(targets),
        "accounts_scanned": done.accounts_done,
        "units": done.units_total,
        "api_calls": dict(sorted(recorder.by_action().items())),
        "api_calls_total": recorder.total(),
        "unit_tables": dict(sorted(units.items())),
    }
    shard = None if fleet.shard.whole else {"index": fleet.shard.index, "count": fleet.shard.count}
    return SpooledReport(
        run_id=run_id,
        source="aws",
        controls=tuple(c.id for c in selected),
        notices=tuple(notices) + tuple(failed),
        stats=stats,
        config_hash=config_hash(cfg, (c.id for c in selected), scope_of(options, fleet.selection)),
        shard=shard,
        spool=spool,
        tally=tally,
    )
