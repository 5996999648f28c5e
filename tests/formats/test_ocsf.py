import json
from dataclasses import replace

import pytest

from dynaguard.formats import get_renderer
from dynaguard.sanitize import clean

from .asff_rules import UNSAFE, strings_in
from .reports import HOSTILE_TEXTS, hostile_finding, iac_report, live_report

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


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_names_give_valid_inert_events_that_keep_the_information(kind):
    text = HOSTILE_TEXTS[kind]
    report = replace(live_report(), findings=(hostile_finding(text),))
    out = get_renderer("ocsf")(report)
    out.encode("utf-8")  # no lone surrogate: valid UTF-8, and no \ud800 escape in the JSON
    assert "\\ud8" not in out.lower().replace("\\\\ud8", "")
    (event,) = json.loads(out)
    strings = strings_in(event)
    assert all(UNSAFE.search(s) is None for s in strings)
    assert event["resources"][0]["name"] == clean(text)  # the whole name, shown escaped
    assert event["message"] == clean(text)
