"""One account's collection across its regions: what to read, and joining the results.

The unit of work is (account, region). Region-wide reads (scaling, backup, DAX, VPCs) run once
per region and IAM once per account, concurrently with the tables; each listed table becomes a
task; each table's KMS key and each replica's state is requested as soon as the table that
uses it is read, once per distinct (region, key) or (region, replica). All joining happens in
the callbacks, on one thread (see scheduler.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.model import (
    NOT_COLLECTED,
    AccountScope,
    Fact,
    KmsKey,
    Known,
    RegionScope,
    Table,
    Unknown,
)
from dynaguard.sources.aws import backup, cloudwatch, dax, dynamodb, iam, kms, scaling, vpcs
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.dynamodb import TableRead
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.replicas import (
    ReplicaState,
    build_replicas,
    key_refs,
    read_replica_state,
    state_of_table,
)
from dynaguard.sources.aws.scheduler import Submitter as Scheduler
from dynaguard.sources.aws.session import AwsSession

# Region-wide reads: fact -> (RegionScope field, collector).
REGION_READS: dict[str, tuple[tuple[str, Callable[[RegionReader], Fact[Any]]], ...]] = {
    "region.scaling": (("scaling", scaling.collect_scaling),),
    "region.backup": (
        ("backup_selections", backup.collect_backup_selections),
        ("backup_settings", backup.collect_backup_settings),
    ),
    "region.dax": (("dax_clusters", dax.collect_dax_clusters),),
    "region.vpcs": (
        ("vpcs", vpcs.collect_vpcs),
        ("vpc_endpoints", vpcs.collect_vpc_endpoints),
    ),
    "region.alarms": (("alarms", cloudwatch.collect_alarms),),
}


def names_network_path(table: Table) -> bool:
    """Does the table's resource or stream policy name aws:SourceVpc or aws:SourceVpce?"""
    for fact in (table.resource_policy, table.stream_policy):
        if isinstance(fact, Known) and fact.value is not None:
            doc = fact.value
            text = doc.raw if doc.raw is not None else json.dumps(doc.statements, default=str)
            if "aws:sourcevpc" in text.lower():
                return True
    return False


# Facts that need no table at all; any other fact needs ListTables.
TABLELESS_FACTS = frozenset({"region.dax", "region.vpcs", "account.iam"})
# Region-wide reads that only judge tables (scaling: DDB.004, backup selections and region
# settings: DDB.005, CloudWatch alarms: DDB.018): made
# once the region's listing shows a selected table, never in an empty region. An empty region
# costs ListTables, DAX DescribeClusters (where DAX is offered) and the VPC reads (DDB.015
# judges VPCs whether or not tables exist): the fewest calls the controls allow.
TABLE_SCOPED_READS = frozenset({"region.scaling", "region.backup", "region.alarms"})
TABLE_READ_FACTS = (
    frozenset({"table.describe", "table.pitr", "table.ttl", "table.tags", "table.resource_policy"})
    | dynamodb.NEEDS_DESCRIBE
)
KMS_FACTS = frozenset({"kms.keys", "kms.rotation"})


class AccountRun:
    """Collects one account: ``start``, run the scheduler, ``finish``, run it again, build."""

    def __init__(
        self,
        session: AwsSession,
        breakers: BreakerBoard,
        account_id: str,
        regions: tuple[str, ...],
        facts: frozenset[str],
        home_region: str | None = None,
        check_names: bool = True,
    ) -> None:
        self.options: AwsOptions = session.options
        self.regions = regions
        self.facts = facts
        # Where account-wide reads (IAM) are made: the first region, else the session's home.
        home = regions[0] if regions else (home_region or session.home_region)
        self._home = RegionReader(session, breakers, account_id, home)
        # A named table missing from every region is a usage error only when this run holds
        # all the regions scanned (one account, no shards): elsewhere it may simply not exist.
        self._check_names = check_names
        self.account_id = account_id
        self._listings: dict[str, Fact[tuple[str, ...]]] = {}
        self._reads: dict[tuple[str, str], TableRead] = {}
        self._region_facts: dict[str, dict[str, Fact[Any]]] = {r: {} for r in regions}
        self._iam: Fact[Any] = NOT_COLLECTED
        self._keys: dict[tuple[str, str], Fact[KmsKey] | None] = {}  # None: requested
        self._replicas: dict[tuple[str, str], ReplicaState | None] = {}
        self._network_requested: set[str] = set()

    @property
    def tables_listed(self) -> int:
        """Tables the listings have shown so far (for progress)."""
        return sum(len(f.value) for f in self._listings.values() if isinstance(f, Known))

    @property
    def tables_read(self) -> int:
        """Tables whose per-table reads have finished (for progress)."""
        return len(self._reads)

    def reader(self, region: str) -> RegionReader:
        return self._home.in_region(region)

    def start(self, scheduler: Scheduler) -> None:
        """Submit the listings, the region-wide reads and the account-wide IAM read."""
        needs_tables = bool(self.facts - TABLELESS_FACTS)
        for region in self.regions:
            reader = self.reader(region)
            if needs_tables:
                scheduler.submit(
                    partial(self._list_tables, reader), partial(self._on_listing, scheduler, region)
                )
            for fact in REGION_READS:
                if fact in self.facts and not (needs_tables and fact in TABLE_SCOPED_READS):
                    self._submit_region_reads(scheduler, region, fact)
        if "account.iam" in self.facts:
            scheduler.submit(partial(iam.collect_iam_policies, self._home), self._on_iam)

    def _submit_region_reads(self, scheduler: Scheduler, region: str, fact: str) -> None:
        reader = self.reader(region)
        for field, read in REGION_READS[fact]:
            then = partial(self._on_region_fact, region, field)
            scheduler.submit(partial(read, reader), then)

    def finish(self, scheduler: Scheduler) -> None:
        """Once every table is read: describe the replicas no scanned region has covered."""
        if "replicas" not in self.facts:
            return
        for read in self._reads.values():
            if isinstance(read.replicas, Known):
                for ref in read.replicas.value:
                    self._request_replica(scheduler, ref.region, read.table)

    def region_scopes(self) -> tuple[RegionScope, ...]:
        states = self._replica_states() if "replicas" in self.facts else {}
        return tuple(self._region_scope(region, states) for region in self.regions)

    def account_scope(self) -> AccountScope:
        return AccountScope(self.account_id, iam_policies=self._iam)

    # -- tables ---------------------------------------------------------------------------

    def _list_tables(self, reader: RegionReader) -> Fact[tuple[str, ...]]:
        return reader.fact(
            lambda: tuple(dynamodb.list_table_names(reader, self.options.selection.lists_table)),
            dynamodb.DDB,
            "ListTables",
        )

    def _on_listing(self, scheduler: Scheduler, region: str, names: Fact[tuple[str, ...]]) -> None:
        self._listings[region] = names
        if isinstance(names, Known) and names.value:
            for fact in sorted(TABLE_SCOPED_READS & self.facts):
                self._submit_region_reads(scheduler, region, fact)
        if isinstance(names, Known) and self.facts & TABLE_READ_FACTS:
            reader = self.reader(region)
            for name in names.value:
                read = partial(dynamodb.collect_table, reader, name, self.facts)
                scheduler.submit(read, partial(self._on_table, scheduler))
        if self._check_names and len(self._listings) == len(self.regions):
            self._check_explicit_names()

    def _on_table(self, scheduler: Scheduler, read: TableRead) -> None:
        table = read.table
        self._reads[(table.region, table.name)] = read
        self._request_keys(scheduler, table.region, key_refs(table.encryption))
        if "policy.network" in self.facts and names_network_path(table):
            self._request_network(scheduler, table.region)

    def _request_network(self, scheduler: Scheduler, region: str) -> None:
        """The region's VPCs and endpoints, once, for a policy that names aws:SourceVpc(e)
        (already on their way when DDB.015 asked for region.vpcs)."""
        if "region.vpcs" in self.facts or region in self._network_requested:
            return
        self._network_requested.add(region)
        reader = self.reader(region)
        for field, read in REGION_READS["region.vpcs"]:
            then = partial(self._on_region_fact, region, field)
            scheduler.submit(partial(read, reader), then)

    def _check_explicit_names(self) -> None:
        """A named table found in no scanned region is a usage error, not a silent pass."""
        selection = self.options.selection
        if not selection.tables or any(isinstance(f, Unknown) for f in self._listings.values()):
            return
        found = {n for f in self._listings.values() if isinstance(f, Known) for n in f.value}
        missing = sorted(set(selection.tables) - found)
        if missing:
            raise UsageError(
                f"table(s) not found in {', '.join(self.regions)}: {', '.join(missing)}"
                + (f" (with prefix {selection.prefix!r})" if selection.prefix else "")
                + (f" (matching {selection.match!r})" if selection.match else "")
            )

    # -- replicas and keys ----------------------------------------------------------------

    def _request_replica(self, scheduler: Scheduler, region: str, primary: Table) -> None:
        key = (region, primary.name)
        if key in self._replicas:
            return
        scanned = self._reads.get(key)
        table = scanned.table if scanned is not None else None
        state = state_of_table(table) if table is not None else None
        self._replicas[key] = state
        if state is None:
            read = partial(read_replica_state, self.reader(region), primary.name, table)
            scheduler.submit(read, partial(self._on_replica, scheduler, key))

    def _on_replica(self, scheduler: Scheduler, key: tuple[str, str], state: ReplicaState) -> None:
        self._replicas[key] = state
        self._request_keys(scheduler, key[0], key_refs(state.encryption))

    def _request_keys(self, scheduler: Scheduler, region: str, refs: Iterable[str]) -> None:
        if not self.facts & KMS_FACTS:
            return
        rotation = "kms.rotation" in self.facts
        for ref in refs:
            if (region, ref) not in self._keys:
                self._keys[(region, ref)] = None
                read = partial(kms.collect_key, self.reader(region), ref, rotation)
                scheduler.submit(read, partial(self._on_key, region, ref))

    def _on_key(self, region: str, ref: str, key: Fact[KmsKey]) -> None:
        self._keys[(region, ref)] = key

    def _on_region_fact(self, region: str, field: str, fact: Fact[Any]) -> None:
        self._region_facts[region][field] = fact

    def _on_iam(self, fact: Fact[Any]) -> None:
        self._iam = fact

    # -- assembly -------------------------------------------------------------------------

    def _replica_states(self) -> dict[tuple[str, str], ReplicaState]:
        """Every replica's state by (region, table name): read, or a scanned table's."""
        states = {k: v for k, v in self._replicas.items() if v is not None}
        for key, read in self._reads.items():
            state = state_of_table(read.table)
            if state is not None:
                states.setdefault(key, state)
        return states

    def _region_scope(
        self, region: str, states: dict[tuple[str, str], ReplicaState]
    ) -> RegionScope:
        listing = self._listings.get(region, NOT_COLLECTED)
        tables: Fact[tuple[Table, ...]]
        if isinstance(listing, Unknown):
            tables = listing
        else:
            tables = Known(
                tuple(self._table(region, name, states) for name in listing.value), listing.origin
            )
        kms_keys = self._scope_keys(tables.value if isinstance(tables, Known) else ())
        return RegionScope(
            self.account_id,
            region,
            tables=tables,
            kms_keys=kms_keys,
            **self._region_facts[region],
        )

    def _table(self, region: str, name: str, states: dict[tuple[str, str], ReplicaState]) -> Table:
        read = self._reads.get((region, name))
        if read is None:  # no per-table fact was requested
            reader = self.reader(region)
            origin = reader.origin(dynamodb.DDB, "ListTables")
            return Table(name, self.account_id, region, dynamodb.table_arn(reader, name), origin)
        if "replicas" not in self.facts:
            return read.table
        return replace(read.table, replicas=build_replicas(read.table, read.replicas, states))

    def _scope_keys(self, tables: tuple[Table, ...]) -> dict[str, Fact[KmsKey]]:
        """Keys used by the scope's tables and their replicas, keyed by the ref they use."""
        out: dict[str, Fact[KmsKey]] = {}
        for table in tables:
            uses = [(table.region, ref) for ref in key_refs(table.encryption)]
            if isinstance(table.replicas, Known):
                uses += [
                    (r.region, k) for r in table.replicas.value for k in key_refs(r.encryption)
                ]
            for key in uses:
                described = self._keys.get(key)
                if described is not None:
                    out[key[1]] = described
        return out
