"""What one unit of infrastructure code declares (a Terraform root module, a plan, a template).

Both adapters fill a ``Declared`` with model objects (AWS defaults already applied) and it turns
into one ``RegionScope`` plus the account's IAM policies. Region-wide lists are Known even when
empty: code that declares no VPC has no VPC to judge, so DDB.015 produces nothing rather than a
FAIL; code without DAX, scaling or backup selections likewise. One unresolvable element of a
region-wide list (an endpoint whose VPC is a variable) makes that list Unknown, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from dynaguard.model import (
    AccountScope,
    BackupRegionSettings,
    BackupSelection,
    CloudWatchAlarms,
    DaxCluster,
    Fact,
    IamPolicy,
    Inventory,
    KmsKey,
    Known,
    MetricAlarm,
    Origin,
    RegionScope,
    ScalableTarget,
    Scaling,
    ScalingPolicy,
    SourceKind,
    Table,
    Unknown,
    Vpc,
    VpcEndpoint,
)
from dynaguard.sources.iac.problems import InputProblem

# The account that will deploy the code is not known offline; this stands in for it (a
# reference to data.aws_caller_identity or AWS::AccountId resolves to it, so the deploying
# account is trusted as it would be live). Configure trusted_accounts for literal account ids.
IAC_ACCOUNT = "000000000000"
T = TypeVar("T")
R = TypeVar("R", Table, DaxCluster, Vpc, IamPolicy, KmsKey)
# The region, when the provider (or the stack) does not say: named honestly in findings.
UNKNOWN_REGION = "unknown"


def synthetic_table_arn(region: str, account_id: str, name: str) -> str:
    """The ARN AWS will give the table (the same rule as DDB.005's ``table_arn``)."""
    return f"arn:aws:dynamodb:{region}:{account_id}:table/{name}"


@dataclass(slots=True)
class Declared:
    """A mutable collector, filled by one adapter run and frozen into model scopes."""

    source: str  # terraform | plan | cloudformation
    unit: str  # the root module directory, plan file or template it came from
    account_id: str = IAC_ACCOUNT
    region: str = UNKNOWN_REGION
    tables: list[Table] = field(default_factory=list)
    dax_clusters: list[DaxCluster] = field(default_factory=list)
    targets: list[ScalableTarget] = field(default_factory=list)
    policies: list[ScalingPolicy] = field(default_factory=list)
    selections: list[BackupSelection] = field(default_factory=list)
    # None: the code declares no AWS Backup Region settings (AWS's default then applies).
    backup_settings: Fact[BackupRegionSettings] | None = None
    iam_policies: list[IamPolicy] = field(default_factory=list)
    vpcs: list[Vpc] = field(default_factory=list)
    endpoints: list[VpcEndpoint] = field(default_factory=list)
    kms_keys: dict[str, Fact[KmsKey]] = field(default_factory=dict)
    alarms: list[MetricAlarm] = field(default_factory=list)
    unresolved_alarms: list[Unknown] = field(default_factory=list)
    unresolved: dict[str, list[Unknown]] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)

    def mark_unresolved(self, what: str, why: Unknown) -> None:
        """Record that one element of a region-wide list (``what``) could not be resolved."""
        self.unresolved.setdefault(what, []).append(why)

    def _listing(self, what: str, items: Sequence[T]) -> Fact[tuple[T, ...]]:
        unresolved = self.unresolved.get(what)
        if unresolved:
            reasons = "; ".join(u.reason for u in unresolved[:3])
            return Unknown(
                f"{what} declared with unresolved values: {reasons}", unresolved[0].origin
            )
        return Known(tuple(items), Origin(file=self.unit))

    def _backup_listing(self) -> Fact[tuple[BackupSelection, ...]]:
        """No selection declared at all: coverage is decided elsewhere (another stack, an
        account or Organizations backup policy), which code alone cannot see: UNKNOWN, not
        FAIL. Declared selections are judged: none covering the table is a FAIL."""
        if not self.selections and not self.unresolved.get("backup selections"):
            return Unknown(
                "no AWS Backup selection is declared in this code; plans managed elsewhere "
                "(another stack, an AWS Organizations backup policy) cannot be seen offline",
                Origin(file=self.unit),
            )
        return self._listing("backup selections", self.selections)

    def _backup_settings(self) -> Fact[BackupRegionSettings]:
        """Declared settings, else AWS's default: a Region where the account uses AWS Backup
        is opted in to every supported resource type (DynamoDB included)
        (https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html)."""
        if self.backup_settings is not None:
            return self.backup_settings
        unit = Origin(file=self.unit)
        return Known(BackupRegionSettings(opted_in=True, origin=unit), unit)

    def scope(self) -> RegionScope:
        unit = Origin(file=self.unit)
        scaling: Fact[Scaling] = Known(Scaling(tuple(self.targets), tuple(self.policies)), unit)
        if self.unresolved.get("scaling"):
            scaling = Unknown(
                "auto scaling declared with unresolved values: "
                + "; ".join(u.reason for u in self.unresolved["scaling"][:3]),
                self.unresolved["scaling"][0].origin,
            )
        return RegionScope(
            account_id=self.account_id,
            region=self.region,
            tables=Known(tuple(self._table(t) for t in self.tables), unit),
            dax_clusters=Known(tuple(self.stamped(c) for c in self.dax_clusters), unit),
            scaling=scaling,
            backup_selections=self._backup_listing(),
            backup_settings=self._backup_settings(),
            vpcs=Known(tuple(self.stamped(v) for v in self.vpcs), unit),
            vpc_endpoints=self._listing("VPC endpoints", self.endpoints),
            kms_keys={
                ref: Known(self.stamped(k.value), k.origin) if isinstance(k, Known) else k
                for ref, k in self.kms_keys.items()
            },
            # No alarm declared is judged as declared (DDB.018 fails), unlike backup plans:
            # throttling alarms belong with the table's own code.
            alarms=Known(CloudWatchAlarms(tuple(self.alarms), tuple(self.unresolved_alarms)), unit),
        )

    @property
    def kind(self) -> SourceKind:
        return SourceKind(self.source)

    def stamped(self, resource: R) -> R:
        """``resource`` with its origin saying which kind of code declared it (a mixed folder
        holds Terraform and CloudFormation: each finding's fix is written in its own)."""
        origin = getattr(resource, "origin", None) or Origin(file=self.unit)
        return replace(resource, origin=replace(origin, source=self.kind))

    def _table(self, table: Table) -> Table:
        if isinstance(table.replicas, Known):
            replicas = tuple(
                replace(r, origin=replace(r.origin, source=self.kind)) if r.origin else r
                for r in table.replicas.value
            )
            table = replace(table, replicas=Known(replicas, table.replicas.origin))
        return self.stamped(table)


def inventory_of(units: Iterable[Declared]) -> Inventory:
    """One scope per unit (its keys and selections apply to its own tables); IAM per account."""
    units = list(units)
    kinds = sorted({u.source for u in units})
    iam: dict[str, list[IamPolicy]] = {}
    for unit in units:
        iam.setdefault(unit.account_id, []).extend(unit.stamped(p) for p in unit.iam_policies)
    return Inventory(
        source=kinds[0] if len(kinds) == 1 else "iac",
        regions=tuple(u.scope() for u in units),
        accounts=tuple(AccountScope(acc, Known(tuple(pols))) for acc, pols in iam.items()),
    )
