"""The Inventory: everything one run collected, grouped by (account, region) scope."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from dynaguard.model.alarms import CloudWatchAlarms
from dynaguard.model.facts import NOT_COLLECTED, Fact, Known
from dynaguard.model.resources import (
    BackupRegionSettings,
    BackupSelection,
    DaxCluster,
    IamPolicy,
    KmsKey,
    Scaling,
    Table,
    Vpc,
    VpcEndpoint,
)


@dataclass(frozen=True, slots=True)
class RegionScope:
    """What was collected in one region of one account. Region-wide reads are Facts."""

    account_id: str
    region: str
    tables: Fact[tuple[Table, ...]] = NOT_COLLECTED
    dax_clusters: Fact[tuple[DaxCluster, ...]] = NOT_COLLECTED
    scaling: Fact[Scaling] = NOT_COLLECTED
    backup_selections: Fact[tuple[BackupSelection, ...]] = NOT_COLLECTED
    backup_settings: Fact[BackupRegionSettings] = NOT_COLLECTED
    vpcs: Fact[tuple[Vpc, ...]] = NOT_COLLECTED
    vpc_endpoints: Fact[tuple[VpcEndpoint, ...]] = NOT_COLLECTED
    # Keyed by every reference a table uses (ARN, id or alias) -> the key as described.
    kms_keys: Mapping[str, Fact[KmsKey]] = field(default_factory=dict)
    alarms: Fact[CloudWatchAlarms] = NOT_COLLECTED  # CloudWatch alarms on DynamoDB metrics

    def table_list(self) -> tuple[Table, ...]:
        return self.tables.value if isinstance(self.tables, Known) else ()


@dataclass(frozen=True, slots=True)
class AccountScope:
    account_id: str
    iam_policies: Fact[tuple[IamPolicy, ...]] = NOT_COLLECTED


@dataclass(frozen=True, slots=True)
class Inventory:
    source: str  # aws | terraform | cloudformation | plan | spec
    regions: tuple[RegionScope, ...] = ()
    accounts: tuple[AccountScope, ...] = ()

    def tables(self) -> Iterator[Table]:
        for scope in self.regions:
            yield from scope.table_list()
