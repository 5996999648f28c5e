"""The dated price table shipped as package data (``prices.json``), with config overrides.

``cost.prices`` in the config replaces single figures: ``{REGION: {item: usd}}`` for one region,
``{"*": {item: usd}}`` for every region (a region's own entry wins over ``*``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

PRICE_ITEMS = (
    "pitr_gb_month",  # DynamoDB continuous backups, per GB-month of table size
    "backup_gb_month",  # DynamoDB backup storage (AWS Backup warm), per GB-month
    "restore_gb",  # DynamoDB table restore, per GB
    "streams_per_100k_reads",  # DynamoDB Streams read request units
    "alarm_month",  # CloudWatch standard-resolution alarm, per month
    "kms_key_month",  # KMS customer managed key, per month
    "kms_per_10k_requests",  # KMS symmetric requests
)


class UnknownRegionPrice(LookupError):
    """The price table has no figure for this region."""


@dataclass(frozen=True, slots=True)
class PriceTable:
    date: str
    currency: str
    regions: Mapping[str, Mapping[str, float]]
    overridden: tuple[str, ...] = ()  # "region.item" entries the config replaced
    sources: Mapping[str, str] = field(default_factory=dict)

    def price(self, region: str, item: str) -> float:
        """USD for one unit of ``item`` in ``region``; UnknownRegionPrice when not listed."""
        figures = self.regions.get(region)
        if figures is None or item not in figures:
            raise UnknownRegionPrice(f"no {item} price for {region} in the price table")
        return float(figures[item])

    def label(self) -> str:
        """How output names the figures: dated, and an estimate."""
        extra = f", {len(self.overridden)} figure(s) from the config" if self.overridden else ""
        return f"estimate from AWS list prices of {self.date} ({self.currency}{extra})"


def _shipped() -> dict[str, Any]:
    text = resources.files("dynaguard.cost").joinpath("prices.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_prices(overrides: Mapping[str, Mapping[str, float]] | None = None) -> PriceTable:
    """The shipped table with ``overrides`` (region or ``*`` -> item -> USD) applied."""
    data = _shipped()
    regions = {r: dict(v) for r, v in data["regions"].items()}
    applied: list[str] = []
    overrides = overrides or {}
    for item, value in (overrides.get("*") or {}).items():
        for figures in regions.values():
            figures[item] = float(value)
        applied.append(f"*.{item}")
    for region, items in overrides.items():
        if region == "*":
            continue
        figures = regions.setdefault(region, {})
        for item, value in items.items():
            figures[item] = float(value)
            applied.append(f"{region}.{item}")
    return PriceTable(
        date=str(data["date"]),
        currency=str(data["currency"]),
        regions=MappingProxyType({r: MappingProxyType(v) for r, v in regions.items()}),
        overridden=tuple(applied),
        sources=MappingProxyType(dict(data.get("sources") or {})),
    )
