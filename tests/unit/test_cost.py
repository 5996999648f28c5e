"""The cost estimate against hand-computed figures (prices.json of the shipped date)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import boto3
import pytest

from dynaguard.config_load import parse_config
from dynaguard.cost.estimate import GIB, Assumptions, ChangeView, Costing, estimate
from dynaguard.cost.plans import costing_for, render_cost_lines
from dynaguard.cost.prices import PRICE_ITEMS, load_prices
from dynaguard.model import Encryption, Known, Table

TEN_GIB = 10 * GIB
PRICES = Costing(load_prices(), Assumptions())


def table(size: int | None = TEN_GIB, kms: bool = False) -> Table:
    return Table(
        "orders",
        "111122223333",
        "us-east-1",
        size_bytes=size,
        encryption=Known(Encryption(kms=kms)),
    )


def view(
    control: str,
    steps=(),
    undo=(),
    kind: str = "table",
    t: Table | None = None,
    region: str = "us-east-1",
) -> ChangeView:
    return ChangeView(control, kind, region, tuple(steps), tuple(undo), {}, t or table())


def pitr(region: str, enabled: bool) -> tuple[str, str, dict[str, Any]]:
    spec = {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": enabled}}
    return ("dynamodb:UpdateContinuousBackups", region, spec)


def test_pitr_on_a_10_gib_table_in_us_east_1_is_2_dollars() -> None:
    usd, basis = estimate(
        view("DDB.002", [pitr("us-east-1", True)], [pitr("us-east-1", False)]), PRICES
    )
    assert usd == 2.0  # 10 GB x $0.20
    assert "10.000 GB" in basis


def test_pitr_window_change_costs_nothing() -> None:
    usd, basis = estimate(
        view("DDB.002", [pitr("us-east-1", True)], [pitr("us-east-1", True)]), PRICES
    )
    assert usd == 0.0 and "window" in basis


def test_pitr_per_replica_region_at_each_regions_price() -> None:
    steps = [pitr("eu-west-1", True), pitr("us-west-2", True)]
    undo = [pitr("eu-west-1", False), pitr("us-west-2", False)]
    usd, _ = estimate(view("DDB.011", steps, undo), PRICES)
    assert usd == round(10 * 0.2264 + 10 * 0.20, 4)  # 4.264


def test_backup_storage_is_35_daily_full_copies() -> None:
    usd, basis = estimate(view("DDB.005"), PRICES)
    assert usd == 35.0  # 10 GB x 35 copies x $0.10
    assert "35 daily full copies" in basis
    assert estimate(view("DDB.005", kind="backup_plan"), PRICES)[0] == 0.0


def test_customer_key_costs_a_key_month_when_created_and_requests_when_new_to_kms() -> None:
    assert estimate(view("DDB.001", kind="new_kms_key"), PRICES)[0] == 1.0
    step = [("dynamodb:UpdateTable", "us-east-1", {})]
    assert estimate(view("DDB.001", step), PRICES)[0] == round(8640 / 10_000 * 0.03, 4)  # 0.0259
    usd, basis = estimate(view("DDB.001", step, t=table(kms=True)), PRICES)
    assert usd == 0.0 and "already calls KMS" in basis


def test_alarms_scaling_streams_rotation_and_free_changes() -> None:
    alarm = ("cloudwatch:PutMetricAlarm", "us-east-1", {})
    assert estimate(view("DDB.018", [alarm, alarm]), PRICES)[0] == 0.2
    policy = ("application-autoscaling:PutScalingPolicy", "us-east-1", {})
    assert estimate(view("DDB.004", [policy] * 4), PRICES)[0] == 1.6  # 4 x 4 alarms x $0.10
    assert estimate(view("DDB.013"), PRICES)[0] == 0.0
    assert estimate(view("DDB.016"), PRICES)[0] == 0.0
    assert estimate(view("DDB.003"), PRICES) == (0.0, "no charge")


def test_what_cannot_be_estimated_says_why() -> None:
    usd, basis = estimate(view("DDB.009", kind="dax_cluster"), PRICES)
    assert usd is None and "node type" in basis
    usd, basis = estimate(
        view("DDB.002", [pitr("us-east-1", True)], [pitr("us-east-1", False)], t=table(size=None)),
        PRICES,
    )
    assert usd is None and "size unknown" in basis
    usd, basis = estimate(
        view("DDB.018", [("cloudwatch:PutMetricAlarm", "xx-nowhere-1", {})], region="xx-nowhere-1"),
        PRICES,
    )
    assert usd is None and "xx-nowhere-1" in basis


def test_config_overrides_replace_single_figures() -> None:
    config = parse_config(
        {
            "cost": {"prices": {"*": {"alarm_month": 0.3}, "us-east-1": {"pitr_gb_month": 0.5}}},
            "harden": {"backup_plan": {"plan": "p", "retention_days": 7}},
        }
    )
    costing = costing_for(config)
    alarm = ("cloudwatch:PutMetricAlarm", "us-east-1", {})
    assert estimate(view("DDB.018", [alarm]), costing)[0] == 0.3
    assert (
        estimate(view("DDB.002", [pitr("us-east-1", True)], [pitr("us-east-1", False)]), costing)[0]
        == 5.0
    )
    assert estimate(view("DDB.005"), costing)[0] == 7.0  # 10 GB x 7 copies x $0.10
    assert "2 figure(s) from the config" in costing.prices.label()


def test_the_price_table_is_dated_sourced_and_covers_every_commercial_region() -> None:
    data = json.loads(resources.files("dynaguard.cost").joinpath("prices.json").read_text())
    assert data["date"] and data["estimate"] is True
    assert set(data["sources"]) == set(PRICE_ITEMS)
    regions = set(boto3.session.Session().get_available_regions("dynamodb", "aws"))
    assert regions <= set(data["regions"]), sorted(regions - set(data["regions"]))
    for region, figures in data["regions"].items():
        assert set(figures) == set(PRICE_ITEMS), region
        assert all(v > 0 for v in figures.values()), region
    assert data["regions"]["us-east-1"]["pitr_gb_month"] == 0.20


def test_rendered_lines_name_the_date_and_say_estimate() -> None:
    from dynaguard.cost.estimate import CostLine

    lines = render_cost_lines(
        [
            CostLine("a", "DDB.002", "table t (us-east-1)", 2.0, "PITR"),
            CostLine("b", "DDB.003", "table t (us-east-1)", 0.0, "no charge"),
            CostLine("c", "DDB.009", "dax_cluster d (us-east-1)", None, "node type"),
        ],
        load_prices().label(),
    )
    text = "\n".join(lines)
    assert "+$2.00" in text and "$0.00" in text and "not estimated" in text
    assert "+$2.00  total per month (1 change(s) not estimated)" in text
    assert "estimate from AWS list prices of" in text and load_prices().date in text


@pytest.mark.parametrize(
    "bad", [{"us-east-1": {"pitr_gb_month": -1}}, {"moon": {"alarm_month": 1}}]
)
def test_bad_price_overrides_are_config_errors(bad: dict[str, Any]) -> None:
    from dynaguard.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cost\.prices"):
        parse_config({"cost": {"prices": bad}}, "c.yaml")
