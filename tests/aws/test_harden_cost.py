"""harden's plan carries the estimated monthly cost per change and in total (dry-run, JSON and
text), with table sizes from DescribeTable (moto reports 0: the test sets them)."""

from __future__ import annotations

from typing import Any

from dynaguard.cost.estimate import GIB
from dynaguard.remediation.harden import harden
from dynaguard.remediation.render import render_plan
from dynaguard.sources.aws import AwsOptions
from tests.aws.conftest import REGION, Hooks, create_table

SIZES = {"big": 20 * GIB, "small": GIB // 2}


def sized(hooks: Hooks) -> Hooks:
    def edit(parsed: dict[str, Any]) -> None:
        table = parsed.get("Table") or {}
        if table.get("TableName") in SIZES:
            table["TableSizeBytes"] = SIZES[table["TableName"]]

    hooks.rewrite("dynamodb", "DescribeTable", edit)
    return hooks


def test_plan_json_and_text_carry_cost_per_change_and_total(aws: Any, hooks: Hooks) -> None:
    for name in SIZES:
        create_table(aws("dynamodb"), name)
    result = harden(
        AwsOptions(regions=(REGION,)),
        only=["DDB.002", "DDB.003"],
        dry_run=True,
        recorder=sized(hooks),
    )
    data = result.plan.to_dict()
    by = {(c["control_id"], c["resource"]["name"]): c for c in data["changes"]}
    assert by[("DDB.002", "big")]["cost_usd_month"] == 4.0  # 20 GB x $0.20
    assert by[("DDB.002", "small")]["cost_usd_month"] == 0.1  # 0.5 GB x $0.20
    assert by[("DDB.003", "big")]["cost_usd_month"] == 0.0
    assert by[("DDB.003", "big")]["cost_basis"] == "no charge"
    assert data["cost"]["total_usd_month"] == 4.1
    assert data["cost"]["not_estimated"] == 0
    assert data["cost"]["estimate"] is True and "2026-12-02" in data["cost"]["prices"]
    text = render_plan(result.plan)
    assert "estimated monthly cost change (USD):" in text
    assert "+$4.10  total per month" in text
    assert "free tiers and discounts not deducted" in text
    writes = {
        a for a in hooks.actions() if not a.split(":")[1].startswith(("Describe", "List", "Get"))
    }
    assert writes == set()  # dry-run: no mutating call
