import json

from dynaguard.formats import get_renderer

from .reports import iac_report, live_report

BASE_REQUIRED = {"activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time"}


def test_compliance_findings_carry_the_required_attributes():
    events = json.loads(get_renderer("ocsf")(live_report()))
    assert len(events) == len(live_report().findings)
    for e in events:
        assert e.keys() >= BASE_REQUIRED
        assert e["class_uid"] == 2003 and e["category_uid"] == 2
        assert e["type_uid"] == 200301
        assert e["metadata"]["product"]["name"] == "dynaguard" and e["metadata"]["version"]
        assert e["finding_info"]["uid"] and e["finding_info"]["title"]
        assert e["compliance"]["standards"]
        assert e["cloud"]["provider"] == "AWS"
        assert e["time"] == 1767225600000  # 2026-01-01T00:00:00Z
        assert 1 <= e["severity_id"] <= 5


def test_status_and_severity_mapping():
    events = {
        e["compliance"]["control"]: e for e in json.loads(get_renderer("ocsf")(live_report()))
    }
    assert events["DDB.001"]["compliance"]["status_id"] == 2  # UNKNOWN -> Warning
    assert events["DDB.012"]["severity_id"] == 4
    assert events["DDB.014"]["status_id"] == 3  # suppressed
    assert "AWS FSBP/DynamoDB.6" not in events["DDB.002"]["compliance"]["requirements"]
    assert "AWS FSBP/DynamoDB.2" in events["DDB.002"]["compliance"]["requirements"]


def test_iac_events_have_no_account_and_keep_the_file():
    events = json.loads(get_renderer("ocsf")(iac_report()))
    assert "account" not in events[0]["cloud"]
    assert events[0]["unmapped"]["line"] == 3
