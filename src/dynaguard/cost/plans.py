"""Cost lines for a harden plan (per change and total) and for a provisioning plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dynaguard.cost.estimate import Assumptions, ChangeView, Costing, CostLine, estimate, total
from dynaguard.cost.prices import load_prices
from dynaguard.model import Table

if TYPE_CHECKING:
    from dynaguard.config import Config
    from dynaguard.remediation.base import Change, ResourceRef


def costing_for(config: Config) -> Costing:
    """The price table (with the config's overrides) and the assumptions the config implies."""
    retention = config.harden.backup_plan.retention_days if config.harden.backup_plan else 35
    return Costing(
        load_prices(config.cost.prices),
        Assumptions(config.cost.kms_requests_per_table_month, retention),
    )


def _steps(steps: Iterable[Any]) -> tuple[tuple[str, str, Mapping[str, Any]], ...]:
    return tuple((s.action, s.region, s.params) for s in steps)


def harden_costs(
    changes: Sequence[Change], subjects: Mapping[ResourceRef, object], costing: Costing
) -> tuple[CostLine, ...]:
    """One line per change, in plan order."""
    lines = []
    for change in changes:
        subject = subjects.get(change.resource)
        view = ChangeView(
            change.control_id,
            change.resource.kind,
            change.resource.region,
            _steps(change.steps),
            _steps(change.undo_steps),
            change.previous,
            subject if isinstance(subject, Table) else None,
        )
        usd, basis = estimate(view, costing)
        lines.append(
            CostLine(change.change_id, change.control_id, change.resource.label(), usd, basis)
        )
    return tuple(lines)


def cost_summary(lines: Sequence[CostLine], label: str) -> dict[str, Any]:
    """The JSON ``cost`` object: the total, what could not be estimated, and the price basis."""
    usd, missing = total(lines)
    return {
        "total_usd_month": usd,
        "not_estimated": missing,
        "prices": label,
        "estimate": True,
    }


def render_cost_lines(lines: Sequence[CostLine], label: str) -> list[str]:
    """Text lines for a terminal: one per change, then the total and the price basis."""
    if not lines:
        return []
    out = ["", "estimated monthly cost change (USD):"]
    for line in lines:
        if line.cost_usd_month is None:
            shown = "not estimated"
        elif line.cost_usd_month == 0:
            shown = "$0.00"
        else:
            shown = f"+${line.cost_usd_month:,.2f}"
        out.append(f"  {shown:>14}  {line.control_id} {line.resource}: {line.basis}")
    usd, missing = total(lines)
    extra = f" ({missing} change(s) not estimated)" if missing else ""
    out.append(f"  {f'+${usd:,.2f}':>14}  total per month{extra}")
    out.append(f"  {label}; free tiers and discounts not deducted")
    return out


def provision_costs(spec: Any, steps: Sequence[Any], costing: Costing) -> tuple[CostLine, ...]:
    """The monthly cost of what ``dynaguard provision`` adds to a new (empty) table: PITR per
    GB it will hold, KMS requests for a KMS-encrypted table (and replica), the alarms target
    tracking and DDB.018 create. The table's own storage and capacity are not included."""
    from dynaguard.provisioning.spec import EncryptionType

    lines: list[CostLine] = []
    prices = costing.prices

    def add(what: str, control: str, usd: float | None, basis: str) -> None:
        lines.append(CostLine(what, control, f"table {spec.table_name}", usd, basis))

    try:
        pitr_regions = [s.region for s in steps if s.kind in ("pitr", "replica_pitr")]
        if pitr_regions:
            rates = ", ".join(f"{r} ${prices.price(r, 'pitr_gb_month'):g}" for r in pitr_regions)
            add("pitr", "DDB.002", 0.0, f"PITR: the table starts empty; {rates} per GB-month")
        if spec.encryption.type is not EncryptionType.DEFAULT:
            regions = [spec.region, *(r.region for r in spec.replicas)]
            requests = costing.assumptions.kms_requests_per_table_month
            usd = sum(requests / 10_000 * prices.price(r, "kms_per_10k_requests") for r in regions)
            add("kms", "DDB.001", round(usd, 4), f"KMS requests: ~{requests} a month per table")
        policies = sum(1 for s in steps if s.kind == "scaling_policy")
        alarms = sum(1 for s in steps if s.kind == "alarm")
        rate = prices.price(spec.region, "alarm_month")
        if policies:
            count = policies * 4
            add("scaling", "DDB.004", round(count * rate, 4), f"{count} target-tracking alarms")
        if alarms:
            add("alarms", "DDB.018", round(alarms * rate, 4), f"{alarms} throttling alarm(s)")
        if spec.stream.enabled:
            add("stream", "DDB.013", 0.0, "no charge to enable; non-Lambda reads are billed")
    except LookupError as exc:
        add("prices", "-", None, f"not estimated: {exc}")
    return tuple(lines)
