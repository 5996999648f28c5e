"""Collect many accounts on one thread pool, and hand each account on as soon as it is done.

Each account is opened on a worker (its role assumed, its regions resolved), then collected by
an AccountRun over the units this process owns (``ShardSpec``), on a scheduler shared by every
account: the global concurrency is ``options.concurrency`` and the scheduler deals reads out
round-robin across accounts, while each (account, region) is paced by ``options.rate_limit``.
At most ``max_accounts`` accounts are in flight, so memory holds a bounded number of accounts
however large the organization: an account's Inventory goes to ``on_account`` the moment its
last read returns and is dropped here.

Isolation: an account whose role cannot be assumed, whose regions cannot be listed, or a named
region that is not enabled for it, becomes an Inventory of Unknown facts with the reason, so
every control yields an UNKNOWN finding for it; the other accounts are scanned as usual.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from dynaguard.errors import AuditError, UsageError
from dynaguard.logs import get_logger
from dynaguard.model import AccountScope, Inventory, Origin, RegionScope, Unknown
from dynaguard.sources.aws.account_run import AccountRun
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.org import AccountTarget
from dynaguard.sources.aws.regions import enabled_regions
from dynaguard.sources.aws.scheduler import Scheduler
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.units import ALL_REGIONS, GLOBAL, ShardSpec, Unit

log = get_logger("aws.org_run")


@dataclass(frozen=True, slots=True)
class FleetPlan:
    """What to collect: the accounts, this process's shard, and how strictly to check."""

    targets: tuple[AccountTarget, ...]
    shard: ShardSpec = field(default_factory=ShardSpec)
    # Explicit regions are checked against each account's enabled regions (one call per
    # account): on for multi-account runs, where an opt-in region may be off in some accounts.
    check_regions: bool = False
    # Raise when the caller's identity or region list cannot be read (one-account runs), instead
    # of reporting the account UNKNOWN (multi-account isolation).
    strict: bool = False


@dataclass(frozen=True, slots=True)
class AccountResult:
    """One account's units collected in this process (facts Unknown where it failed)."""

    account_id: str
    inventory: Inventory
    units: tuple[Unit, ...]
    tables: int
    failed: str | None = None  # why the whole account (or its region list) is UNKNOWN


@dataclass(slots=True)
class FleetProgress:
    """Counts for the progress bar: (account, region) units and tables."""

    units_done: int = 0
    units_total: int = 0
    tables_done: int = 0
    tables_total: int = 0
    accounts_done: int = 0


@dataclass(frozen=True, slots=True)
class _Opened:
    session: AwsSession | None
    regions: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    failure: str | None = None
    failed_api: str = "sts:AssumeRole"


def open_account(base: AwsSession, target: AccountTarget, plan: FleetPlan) -> _Opened:
    """Credentials and regions of one account (runs on a worker)."""
    try:
        session = (
            base if target.role_arn is None else base.assume(target.account_id, target.role_arn)
        )
    except AuditError as err:
        return _Opened(None, failure=str(err))
    options = session.options
    if options.all_regions:
        try:
            return _Opened(session, enabled_regions(session))
        except AuditError as err:
            if plan.strict:
                raise
            return _Opened(session, failure=str(err), failed_api="account:ListRegions")
    regions = tuple(dict.fromkeys(options.regions))
    if not regions:
        if session.default_region is None:
            raise UsageError(
                "no AWS region: pass --region or --all-regions, or configure one "
                "(AWS_REGION, or the profile's region)"
            )
        regions = (session.default_region,)
    if not plan.check_regions:
        return _Opened(session, regions)
    try:
        enabled = set(enabled_regions(session))
    except AuditError as err:  # scan what was asked; the reads themselves will tell
        log.warning("account %s: %s; scanning the given regions", target.account_id, err)
        return _Opened(session, regions)
    return _Opened(
        session,
        tuple(r for r in regions if r in enabled),
        tuple(r for r in regions if r not in enabled),
    )


def unknown_scopes(
    account_id: str, regions: tuple[str, ...], reason: str, origin: Origin
) -> tuple[RegionScope, ...]:
    """Region scopes whose every region-wide fact is Unknown(reason): one UNKNOWN per control."""
    unknown = Unknown(reason, origin)
    names = [
        f.name
        for f in dataclasses.fields(RegionScope)
        if f.name not in ("account_id", "region", "kms_keys")
    ]
    facts: dict[str, Any] = dict.fromkeys(names, unknown)
    return tuple(RegionScope(account_id, region, **facts) for region in regions)


class FleetCollector:
    """Runs the plan; ``on_account`` receives each account's result as it completes."""

    def __init__(
        self,
        base: AwsSession,
        plan: FleetPlan,
        facts: frozenset[str],
        on_account: Callable[[AccountResult], None],
        progress: Callable[[FleetProgress], None] | None = None,
        max_accounts: int | None = None,
    ) -> None:
        self.base = base
        self.plan = plan
        self.facts = facts
        self.on_account = on_account
        self._progress_cb = progress
        self.progress = FleetProgress()
        concurrency = base.options.concurrency
        self.max_accounts = max_accounts or max(2, concurrency)
        self.breakers = BreakerBoard()
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="dynaguard-aws")
        self.scheduler = Scheduler(self._pool, concurrency=concurrency)
        self._active: dict[str, _AccountJob] = {}
        self._tables_finished = (0, 0)  # (listed, read) of accounts already handed on

    def run(self) -> FleetProgress:
        todo = deque(self.plan.targets)
        try:
            while todo or self.scheduler.busy():
                while todo and len(self._active) < self.max_accounts:
                    self._start(todo.popleft())
                self.scheduler.step()
                self._report_progress()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return self.progress

    @property
    def wants_global(self) -> bool:
        return "account.iam" in self.facts

    def _start(self, target: AccountTarget) -> None:
        job = _AccountJob(self, target)
        self._active[target.account_id] = job
        job.start()

    def finished(self, job: _AccountJob, result: AccountResult | None) -> None:
        del self._active[job.target.account_id]
        listed, read = self._tables_finished
        if job.run is not None:
            self._tables_finished = (listed + job.run.tables_listed, read + job.run.tables_read)
        self.progress.accounts_done += 1
        if result is not None:
            self.progress.units_done += len(result.units)
            self.on_account(result)

    def _report_progress(self) -> None:
        listed, read = self._tables_finished
        for job in self._active.values():
            if job.run is not None:
                listed += job.run.tables_listed
                read += job.run.tables_read
        self.progress.tables_total, self.progress.tables_done = listed, read
        if self._progress_cb is not None:
            self._progress_cb(self.progress)


class _AccountJob:
    """One account through its phases: open -> collect -> replicas -> hand on."""

    def __init__(self, fleet: FleetCollector, target: AccountTarget) -> None:
        self.fleet = fleet
        self.target = target
        self.run: AccountRun | None = None
        self.units: tuple[Unit, ...] = ()
        self.extra: tuple[RegionScope, ...] = ()  # UNKNOWN scopes (regions not enabled)
        self._phase = 0
        self._failure = ""
        self._own_global = False

    @property
    def account_id(self) -> str:
        return self.target.account_id

    def start(self) -> None:
        fleet = self.fleet
        if not fleet.base.options.all_regions and not self._may_own_any():
            fleet.finished(self, None)  # explicit regions, none of them in this shard
            return
        view = fleet.scheduler.group(self.account_id, self._idle)
        view.submit(partial(open_account, fleet.base, self.target, fleet.plan), self._opened)

    def _may_own_any(self) -> bool:
        """Explicit regions: whether any of this account's units is in this shard (if none,
        the account is not even opened)."""
        options = self.fleet.base.options
        regions = options.regions or ((self.fleet.base.default_region or ""),)
        candidates = [Unit(self.account_id, r) for r in regions]
        if self.fleet.wants_global:
            candidates.append(Unit(self.account_id, GLOBAL))
        return any(self.fleet.plan.shard.owns(u) for u in candidates)

    def _opened(self, opened: _Opened) -> None:
        fleet = self.fleet
        shard = fleet.plan.shard
        own_global = fleet.wants_global and shard.owns(Unit(self.account_id, GLOBAL))
        if opened.failure is not None:
            self._fail(opened, own_global)
            return
        assert opened.session is not None
        owned = tuple(r for r in opened.regions if shard.owns(Unit(self.account_id, r)))
        disabled = tuple(r for r in opened.disabled if shard.owns(Unit(self.account_id, r)))
        self.units = tuple(Unit(self.account_id, r) for r in owned + disabled)
        self.units += (Unit(self.account_id, GLOBAL),) if own_global else ()
        fleet.progress.units_total += len(self.units)
        if disabled:
            origin = Origin(region=fleet.base.home_region, api="account:ListRegions")
            self.extra = unknown_scopes(
                self.account_id,
                disabled,
                f"region not enabled for account {self.account_id} (opt-in region)",
                origin,
            )
        if not owned and not own_global:
            self._phase = 2  # only UNKNOWN scopes (or nothing) to hand on
            return
        facts = fleet.facts if own_global else fleet.facts - {"account.iam"}
        self.run = AccountRun(
            opened.session,
            fleet.breakers,
            self.account_id,
            owned,
            facts,
            home_region=fleet.base.home_region,
            check_names=fleet.plan.strict and shard.whole,
        )

    def _fail(self, opened: _Opened, own_global: bool) -> None:
        """The account (or its region list) could not be read: UNKNOWN scopes for the units
        this process owns. With --all-regions the regions are unknown too: the account-wide
        unit's owner reports it once, as region ``*``."""
        fleet, account = self.fleet, self.account_id
        options = fleet.base.options
        if options.all_regions:
            owns_account = fleet.plan.shard.owns(Unit(account, GLOBAL))
            regions: tuple[str, ...] = (ALL_REGIONS,) if owns_account else ()
        else:
            asked = options.regions or ((fleet.base.default_region or ""),)
            regions = tuple(r for r in asked if fleet.plan.shard.owns(Unit(account, r)))
        self._failure = str(opened.failure)
        self._own_global = own_global
        origin = Origin(region=fleet.base.home_region, api=opened.failed_api)
        self.extra = unknown_scopes(account, regions, self._failure, origin)
        self.units = tuple(Unit(account, r) for r in regions)
        self.units += (Unit(account, GLOBAL),) if own_global else ()
        fleet.progress.units_total += len(self.units)
        log.warning("account %s: %s", account, self._failure)
        self._phase = 3

    def _idle(self) -> None:
        """The account's group has no work left: start the next phase, or hand it on."""
        fleet = self.fleet
        if self._phase == 0 and self.run is not None:
            self._phase = 1
            self.run.start(fleet.scheduler.group(self.account_id, self._idle))
            return
        if self._phase == 1 and self.run is not None:
            self._phase = 2
            self.run.finish(fleet.scheduler.group(self.account_id, self._idle))
            return
        fleet.finished(self, self._result())

    def _result(self) -> AccountResult | None:
        if not self.units:
            return None
        if self._phase == 3:
            account = AccountScope(self.account_id, iam_policies=Unknown(self._failure))
            inventory = Inventory(
                "aws", regions=self.extra, accounts=(account,) if self._own_global else ()
            )
            return AccountResult(self.account_id, inventory, self.units, 0, self._failure)
        scopes = self.run.region_scopes() if self.run is not None else ()
        accounts = (
            (self.run.account_scope(),)
            if self.run is not None and Unit(self.account_id, GLOBAL) in self.units
            else ()
        )
        inventory = Inventory("aws", regions=scopes + self.extra, accounts=accounts)
        tables = self.run.tables_read if self.run is not None else 0
        return AccountResult(self.account_id, inventory, self.units, tables)
