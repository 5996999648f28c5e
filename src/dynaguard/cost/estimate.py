"""Per change, the estimated change in the monthly bill (USD), and how it was computed.

The figures (prices.json): PITR is billed on the table's size (``TableSizeBytes``, GB = 2^30
bytes) whatever the window, in every replica region that has it; AWS Backup keeps a full copy
of a DynamoDB table per backup, so a daily plan retaining N days stores about N copies; a
customer managed key costs a key-month (only when harden creates it) plus the KMS requests
DynamoDB makes for a table that did not use KMS before (``kms_requests_per_table_month``,
about one every 5 minutes); each CloudWatch alarm is an alarm-month (a target-tracking policy
creates 4 for DynamoDB); enabling streams is free (reads by consumers other than Lambda are
billed per read); other changes are free. A DAX node's price depends on its node type, which
the table does not have: not estimated (``None``) rather than guessed.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/backup-restore-billing.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.cost.prices import PriceTable, UnknownRegionPrice
from dynaguard.model import Known, Table

GIB = 2**30
TARGET_TRACKING_ALARMS = 4  # per DynamoDB target-tracking policy (2 utilisation, 2 capacity)


@dataclass(frozen=True, slots=True)
class Assumptions:
    kms_requests_per_table_month: int = 8640  # one data-key request per 5 minutes, 30 days
    backup_retention_days: int = 35  # daily backups kept this long: this many full copies


@dataclass(frozen=True, slots=True)
class CostLine:
    """One change's estimated monthly cost: None when it cannot be estimated (``basis`` why)."""

    change_id: str
    control_id: str
    resource: str
    cost_usd_month: float | None
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "control_id": self.control_id,
            "resource": self.resource,
            "cost_usd_month": self.cost_usd_month,
            "basis": self.basis,
        }


@dataclass(frozen=True, slots=True)
class Costing:
    """What an estimate needs besides the change: prices, sizes, assumptions."""

    prices: PriceTable
    assumptions: Assumptions = Assumptions()


def size_gb(table: Table | None) -> float | None:
    if table is None or table.size_bytes is None:
        return None
    return table.size_bytes / GIB


def _money(value: float) -> float:
    return round(value, 4)


Estimator = Callable[["ChangeView", Costing], tuple[float | None, str]]


@dataclass(frozen=True, slots=True)
class ChangeView:
    """The parts of a change (harden or provision) the estimators read."""

    control_id: str
    kind: str  # the resource kind: table, new_kms_key, backup_plan, ...
    region: str
    steps: tuple[tuple[str, str, Mapping[str, Any]], ...]  # (action, region, params)
    undo: tuple[tuple[str, str, Mapping[str, Any]], ...]
    previous: Mapping[str, Any]
    table: Table | None


def _pitr(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    gb = size_gb(view.table)
    newly = [
        region
        for (_, region, params), (_, _, before) in zip(view.steps, view.undo, strict=False)
        if not before.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    ]
    if not newly:
        return 0.0, "no charge: PITR is already on; its price does not depend on the window"
    if gb is None:
        return None, "table size unknown (DescribeTable TableSizeBytes not read)"
    total = sum(gb * c.prices.price(r, "pitr_gb_month") for r in newly)
    rates = ", ".join(f"{r} ${c.prices.price(r, 'pitr_gb_month'):g}" for r in newly)
    return _money(total), f"PITR on {gb:.3f} GB x {len(newly)} region(s) ({rates} per GB-month)"


def _backup(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    if view.kind == "backup_plan":
        return 0.0, "no charge for the plan itself (storage is counted per table)"
    gb = size_gb(view.table)
    if gb is None:
        return None, "table size unknown (DescribeTable TableSizeBytes not read)"
    copies = c.assumptions.backup_retention_days
    rate = c.prices.price(view.region, "backup_gb_month")
    return (
        _money(gb * copies * rate),
        f"AWS Backup: {gb:.3f} GB x {copies} daily full copies retained x ${rate:g} per GB-month",
    )


def _kms(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    if view.kind == "new_kms_key":
        rate = c.prices.price(view.region, "kms_key_month")
        return rate, f"one customer managed key: ${rate:g} per key-month"
    enc = view.table.encryption if view.table is not None else None
    if isinstance(enc, Known) and enc.value.kms:
        return 0.0, "no added charge: the table already calls KMS (key requests are billed)"
    regions = sorted({r for _, r, _ in view.steps}) or [view.region]
    requests = c.assumptions.kms_requests_per_table_month
    total = sum(requests / 10_000 * c.prices.price(r, "kms_per_10k_requests") for r in regions)
    return (
        _money(total),
        f"KMS requests: ~{requests} a month per table ({len(regions)} region(s)) at "
        f"${c.prices.price(regions[0], 'kms_per_10k_requests'):g} per 10,000",
    )


def _alarms(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    count = sum(1 for action, _, _ in view.steps if action == "cloudwatch:PutMetricAlarm")
    rate = c.prices.price(view.region, "alarm_month")
    return _money(count * rate), f"{count} CloudWatch alarm(s) x ${rate:g} per alarm-month"


def _scaling(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    policies = sum(
        1 for action, _, _ in view.steps if action == "application-autoscaling:PutScalingPolicy"
    )
    count = policies * TARGET_TRACKING_ALARMS
    rate = c.prices.price(view.region, "alarm_month")
    return (
        _money(count * rate),
        f"{policies} target-tracking policies create {count} CloudWatch alarms x ${rate:g}; "
        "capacity itself follows the load (not estimated)",
    )


def _streams(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    rate = c.prices.price(view.region, "streams_per_100k_reads")
    return 0.0, (
        f"no charge to enable; reads by consumers other than Lambda cost ${rate:g} per 100,000 "
        "stream read request units"
    )


def _rotation(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    return 0.0, "no charge now; the first and second yearly rotations add $1 per key-month each"


def _dax(view: ChangeView, c: Costing) -> tuple[float | None, str]:
    return None, "not estimated: DAX node-hours depend on the node type (see DAX pricing)"


ESTIMATORS: Mapping[str, Estimator] = {
    "DDB.001": _kms,
    "DDB.010": _kms,
    "DDB.002": _pitr,
    "DDB.011": _pitr,
    "DDB.004": _scaling,
    "DDB.005": _backup,
    "DDB.009": _dax,
    "DDB.013": _streams,
    "DDB.016": _rotation,
    "DDB.018": _alarms,
}
FREE = "no charge"


def estimate(view: ChangeView, costing: Costing) -> tuple[float | None, str]:
    """(USD per month or None, how) for one change; unlisted controls are free changes."""
    estimator = ESTIMATORS.get(view.control_id)
    if estimator is None:
        return 0.0, FREE
    try:
        return estimator(view, costing)
    except UnknownRegionPrice as exc:
        return None, f"not estimated: {exc}"


def total(lines: Iterable[CostLine]) -> tuple[float, int]:
    """The sum of the estimated lines, and how many lines could not be estimated."""
    known = [line.cost_usd_month for line in lines]
    return _money(sum(v for v in known if v is not None)), sum(1 for v in known if v is None)
