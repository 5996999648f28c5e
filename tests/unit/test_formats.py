import json

from dynaguard.config_load import parse_config
from dynaguard.controls import get_control
from dynaguard.engine import report_from_inventory
from dynaguard.formats import get_renderer
from dynaguard.model import Inventory, Known, Pitr, RegionScope, Table, Unknown

ACCT = "111122223333"


def report():
    tables = (
        Table("good", ACCT, "us-east-1", pitr=Known(Pitr(True, 35))),
        Table("bad", ACCT, "us-east-1", pitr=Known(Pitr(False))),
        Table("denied", ACCT, "us-east-1", pitr=Unknown("AccessDeniedException: nope")),
    )
    inv = Inventory("aws", (RegionScope(ACCT, "us-east-1", tables=Known(tables)),))
    return report_from_inventory(
        inv, [get_control("DDB.002")], parse_config({}), "run-1", {"elapsed_s": 1.5}
    )


def test_json_follows_the_contract():
    data = json.loads(get_renderer("json")(report()))
    assert data["tool"]["name"] == "dynaguard"
    assert data["run_id"] == "run-1"
    assert data["source"] == "aws"
    assert data["summary"] == {
        "PASS": 1,
        "FAIL": 1,
        "UNKNOWN": 1,
        "NOT_APPLICABLE": 0,
        "SUPPRESSED": 0,
    }
    required = {
        "control_id",
        "status",
        "severity",
        "resource_type",
        "resource_id",
        "resource_arn",
        "account_id",
        "region",
        "reason",
        "remediation",
    }
    for f in data["findings"]:
        assert required <= f.keys()
    bad = next(f for f in data["findings"] if f["resource_id"] == "bad")
    assert bad["status"] == "FAIL" and bad["severity"] == "medium"


def test_terminal_groups_by_resource_with_fix_and_summary():
    text = get_renderer("terminal")(report())
    assert "table bad" in text
    assert "fix: aws dynamodb update-continuous-backups" in text
    assert "AccessDeniedException" in text
    assert "all 1 applicable controls pass" in text  # the compliant table collapses to one line
    assert "1 failed, 1 unknown, 1 passed" in text.splitlines()[-1]
    assert "\x1b[" not in text  # no colour codes when not asked


def test_terminal_colour_and_show_passed():
    text = get_renderer("terminal", color=True, show_passed=True)(report())
    assert "\x1b[" in text
    assert "point-in-time recovery enabled on the table" in text
