"""provision's plan states what it adds to the monthly bill, against hand-computed figures."""

from __future__ import annotations

from dynaguard.config import Config
from dynaguard.controls.registry import all_controls
from dynaguard.provisioning import SpecDefaults, load_spec
from dynaguard.provisioning.plan import offline_plan, render_plan

KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops"


def plan_for(**defaults: object):  # type: ignore[no-untyped-def]
    spec = load_spec(
        preset="sessions",
        defaults=SpecDefaults(region="eu-west-1", table_name="sessions-prod", **defaults),  # type: ignore[arg-type]
    )
    return offline_plan(spec, all_controls(), Config(), "run")


def test_alarms_and_kms_requests_are_the_added_monthly_cost() -> None:
    plan = plan_for(kms_key_arn=KEY, alarm_topic=TOPIC)
    cost = plan.to_dict()["cost"]
    by = {c["control_id"]: c["cost_usd_month"] for c in cost["changes"]}
    assert by["DDB.018"] == 0.2  # 2 alarms x $0.10
    assert by["DDB.001"] == 0.0259  # 8,640 requests x $0.03 / 10,000
    assert by["DDB.002"] == 0.0  # an empty table: PITR grows with it
    assert cost["total_usd_month"] == 0.2259
    assert cost["estimate"] is True and "2026-12-02" in cost["prices"]
    text = render_plan(plan)
    assert "estimated monthly cost change (USD):" in text and "+$0.23  total per month" in text


def test_without_a_topic_there_is_no_alarm_line_and_ddb018_fails_in_preflight() -> None:
    plan = plan_for(kms_key_arn=KEY)
    assert "DDB.018" not in {c.control_id for c in plan.costs}
    (finding,) = [f for f in plan.preflight.findings if f.control_id == "DDB.018"]
    assert finding.status.value == "FAIL"
