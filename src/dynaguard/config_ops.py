"""The ``cost:``, ``drill:`` and ``iac:`` sections of the configuration, as pydantic models.

cost:
  prices:                           # replace figures of the shipped price table (USD)
    "*": {alarm_month: 0.10}        # every region
    eu-west-1: {pitr_gb_month: 0.2264}
  kms_requests_per_table_month: 8640
drill:
  rpo_target_minutes: 15            # restore point at most this old
  rto_target_minutes: 60            # restore (to ACTIVE) at most this long
  sample_items: 100                 # items compared by hash
  read_units_per_second: 50         # the verification's read rate, per table
iac:                                # dynaguard iac; the command-line options win
  max_file_mb: 32                   # larger files are reported, not read
  timeout_s: 60                     # per root module, plan or template
  memory_mb: 1024                   # per worker process
  jobs: 0                           # worker processes; 0: one per core
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainValidator

from dynaguard.config import CostSettings, DrillSettings
from dynaguard.doc_models import StrictModel, bounded, check, check_region_key
from dynaguard.sanitize import short_repr
from dynaguard.sources.iac.files import IacLimits


def _prices(value: Any) -> dict[str, dict[str, float]]:
    from dynaguard.cost.prices import PRICE_ITEMS

    check(isinstance(value, dict), "expected a mapping of region (or '*') to {item: USD}")
    out: dict[str, dict[str, float]] = {}
    for region, items in value.items():
        check_region_key(region)
        check(isinstance(items, dict), f"{region}: expected a mapping of item to USD")
        for item, usd in items.items():
            check(
                item in PRICE_ITEMS,
                f"{region}.{short_repr(item)}: not a price item ({', '.join(PRICE_ITEMS)})",
            )
            check(
                isinstance(usd, int | float) and not isinstance(usd, bool) and usd >= 0,
                f"{region}.{item}: expected a price in USD (a number >= 0)",
            )
        out[region] = {k: float(v) for k, v in items.items()}
    return out


class CostModel(StrictModel):
    prices: Annotated[dict[str, dict[str, float]], PlainValidator(_prices)] | None = None
    kms_requests_per_table_month: Annotated[int, bounded(0, None)] | None = None


def _minutes(value: Any) -> float:
    check(
        isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
        "expected a number of minutes above 0",
    )
    return float(value)


Minutes = Annotated[float, PlainValidator(_minutes)]


class DrillModel(StrictModel):
    rpo_target_minutes: Minutes | None = None
    rto_target_minutes: Minutes | None = None
    sample_items: Annotated[int, bounded(0, 10_000)] | None = None
    read_units_per_second: Annotated[int, bounded(1, 40_000)] | None = None


def cost_settings(model: CostModel | None) -> CostSettings:
    return CostSettings(**model.model_dump(exclude_none=True)) if model else CostSettings()


def drill_settings(model: DrillModel | None) -> DrillSettings:
    return DrillSettings(**model.model_dump(exclude_none=True)) if model else DrillSettings()


def _above_zero(value: Any) -> float:
    check(
        isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
        "expected a number above 0",
    )
    return float(value)


class IacModel(StrictModel):
    max_file_mb: Annotated[float, PlainValidator(_above_zero)] | None = None
    timeout_s: Annotated[float, PlainValidator(_above_zero)] | None = None
    memory_mb: Annotated[int, bounded(64, 65536)] | None = None
    jobs: Annotated[int, bounded(0, 1024)] | None = None


def iac_settings(model: IacModel | None) -> IacLimits:
    return IacLimits(**model.model_dump(exclude_none=True)) if model else IacLimits()
