"""The live AWS source: AwsOptions + the facts the selected controls need -> Inventory.

Identity first (STS GetCallerIdentity, after AssumeRole when a role is given), then the
regions (``--all-regions``: the account's enabled regions, see regions.py), then every
read on one thread pool of ``options.concurrency`` workers. Failed reads are Unknown facts in
the Inventory; only a run that cannot start at all (no identity, no region list) raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from dynaguard.errors import UsageError
from dynaguard.logs import get_logger
from dynaguard.model import FACTS, Inventory
from dynaguard.sources.aws.account_run import AccountRun
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.regions import enabled_regions
from dynaguard.sources.aws.scheduler import Scheduler
from dynaguard.sources.aws.session import AwsSession

log = get_logger("aws")

# A fact that needs another one's reads: rotation is read only for customer managed keys,
# which DescribeKey identifies.
IMPLIED_FACTS = {"kms.rotation": frozenset({"kms.keys"})}


class DeclaresFacts(Protocol):
    """What collection needs of a control: the facts it declares (``controls.base.Control``)."""

    @property
    def facts(self) -> frozenset[str]: ...


def facts_needed(controls: Iterable[DeclaresFacts]) -> frozenset[str]:
    """The facts to collect for these controls: the union of what each declares."""
    return frozenset(fact for control in controls for fact in control.facts)


def with_implied(facts: Iterable[str]) -> frozenset[str]:
    """``facts`` plus the facts they need; an undeclared fact name is a programming error."""
    wanted = frozenset(facts)
    undeclared = wanted - FACTS
    if undeclared:
        raise ValueError(f"unknown facts: {sorted(undeclared)}")
    return wanted.union(*(IMPLIED_FACTS.get(f, frozenset()) for f in wanted))


def collect(
    options: AwsOptions,
    facts: frozenset[str],
    *,
    run_id: str,
    recorder: CallRecorder | None = None,
    progress: Callable[[int, int], None] | None = None,
    session: AwsSession | None = None,
) -> Inventory:
    """Read the requested facts from AWS into an Inventory (source ``aws``).

    ``session``: reuse an open session (its credentials and clients) with these ``options``.

    ``progress(done, total)`` is called after each finished read task; ``total`` grows as
    listings reveal tables. Only what ``options.selection`` selects is kept (tables by the
    listing, DAX clusters by name). Raises AuditError when the identity or the region list
    cannot be read, UsageError for bad options or a named table or DAX cluster found in no
    scanned region.
    """
    wanted = with_implied(facts)
    session = (
        session.with_options(options)
        if session is not None
        else AwsSession(options, run_id, recorder)
    )
    account_id = session.account_id()
    regions = resolve_regions(options, session)
    log.info("scanning account %s in %d region(s)", account_id, len(regions))
    run = AccountRun(session, BreakerBoard(), account_id, regions, wanted)
    pool = ThreadPoolExecutor(options.concurrency, thread_name_prefix="dynaguard-aws")
    try:
        scheduler = Scheduler(pool, progress)
        run.start(scheduler)
        scheduler.run()
        run.finish(scheduler)
        scheduler.run()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    inventory = Inventory("aws", regions=run.region_scopes(), accounts=(run.account_scope(),))
    missing = options.selection.missing_dax_clusters(inventory)
    if missing:
        raise UsageError(f"DAX cluster(s) not found in {', '.join(regions)}: {', '.join(missing)}")
    return options.selection.narrow(inventory)


def resolve_regions(options: AwsOptions, session: AwsSession) -> tuple[str, ...]:
    """The regions to scan: all enabled ones, the given ones, or the session's own."""
    if options.all_regions:
        return enabled_regions(session)
    if options.regions:
        return tuple(dict.fromkeys(options.regions))
    if session.default_region:
        return (session.default_region,)
    raise UsageError(
        "no AWS region: pass --region or --all-regions, or configure one "
        "(AWS_REGION, or the profile's region)"
    )
