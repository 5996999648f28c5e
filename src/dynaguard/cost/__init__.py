"""Estimated monthly cost of a harden or provision plan, from a dated price table.

    table = load_prices(overrides)            # shipped prices.json + config overrides
    lines = estimate_changes(changes, subjects, table, assumptions)

Every figure is an estimate (list prices, no free tier, no discounts); every change gets a line,
a zero-cost change says so, and one that cannot be estimated says why (``cost_usd_month`` None).
"""

from dynaguard.cost.prices import PRICE_ITEMS, PriceTable, load_prices

__all__ = ["PRICE_ITEMS", "PriceTable", "load_prices"]
