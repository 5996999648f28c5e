"""The harden plan reads well at 80 columns: one line per change when the status table would
not fit, the table (a column per control) when it does, and never a word split in a cell."""

from __future__ import annotations

from dynaguard.remediation.base import ApiStep, Change, ResourceRef
from dynaguard.remediation.planner import HardenPlan, PlanRow
from dynaguard.remediation.render import render_plan

KEY = "arn:aws:kms:us-east-1:111122223333:key/7c87cfe2-0275-4b5e-9d3c-123456789012"
COLUMNS = ("DDB.001", "DDB.002", "DDB.003", "DDB.004", "DDB.013", "DDB.017")


def plan() -> HardenPlan:
    rows, changes = [], []
    for name in ("sentinel-breakglass", "sentinel-sessions", "orders"):
        ref = ResourceRef("table", name, "us-east-1", "111122223333")
        cells = {
            "DDB.001": f"AWS managed key -> {KEY}",
            "DDB.002": "off -> 35 days",
            "DDB.003": "ok" if name == "orders" else "off -> on",
            "DDB.004": "ok",
            "DDB.013": "KEYS_ONLY -> NEW_AND_OLD_IMAGES",
            "DDB.017": "missing owner, cost-center -> owner=platform-team, cost-center=cc-0000",
        }
        rows.append(PlanRow(ref, cells))
        step = ApiStep("dynamodb:UpdateTable", "us-east-1", {"TableName": name}, "table", name)
        changes.append(Change("DDB.003", ref, "off", "on", (step,)))
    compliant = ResourceRef("table", "inventory", "us-east-1", "111122223333")
    rows.append(PlanRow(compliant, dict.fromkeys(COLUMNS, "ok")))
    return HardenPlan("111122223333", COLUMNS, tuple(rows), (), tuple(changes))


def test_narrow_terminal_gets_one_line_per_change() -> None:
    text = render_plan(plan(), width=80)
    assert "┃" not in text and "│" not in text  # no table
    assert "  sentinel-sessions (us-east-1)    DDB.013  KEYS_ONLY -> NEW_AND_OLD_IMAGES" in text
    assert "  orders (us-east-1)               DDB.001  AWS managed key -> key/7c87cfe2…" in text
    assert "orders (us-east-1)               DDB.003" not in text  # compliant: not a change
    assert "1 table(s) compliant with every selected control" in text
    status = text.split("change(s)")[0]
    assert max(len(line) for line in status.splitlines()) <= 100


def test_wide_terminal_gets_the_table_without_split_words() -> None:
    text = render_plan(plan(), width=240)
    assert "┃ resource" in text or "resource" in text.splitlines()[1]
    body = "\n".join(line for line in text.splitlines() if "│" in line)
    # a long value is cut after a whole word
    for word in ("NEW_AND_OLD_IMAGES", "KEYS_ONLY", "key/7c87cfe2…", "owner=platform-team…"):
        assert word in body, word
    assert max(len(line) for line in text.split("change(s)")[0].splitlines()) <= 240
