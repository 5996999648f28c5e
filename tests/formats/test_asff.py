import json

import pytest

from dynaguard.errors import UsageError
from dynaguard.formats import get_renderer
from dynaguard.formats.asff import finding_id, scope_field, to_asff, utf16_length
from dynaguard.sanitize import clean, clean_line

from .asff_rules import problems
from .reports import ACCT, HOSTILE_TEXTS, finding, hostile_finding, iac_report, live_report


def rendered():
    return json.loads(get_renderer("asff")(live_report()))


def test_every_finding_follows_the_asff_field_rules():
    items = rendered()
    assert len(items) == len(live_report().findings)
    for item in items:
        assert problems(item) == [], item["Id"]


def test_the_rules_catch_a_broken_finding():
    item = rendered()[0]
    broken = {**item, "AwsAccountId": "12", "Severity": {"Label": "SEVERE"}, "Types": ["Bad"]}
    assert {"AwsAccountId", "Severity.Label", "Types 'Bad'"} <= set(problems(broken))


def test_fields_carry_status_severity_resource_type_and_requirements():
    by_control = {i["GeneratorId"]: i for i in rendered()}
    pitr = by_control["dynaguard/DDB.002"]
    assert pitr["ProductArn"] == (f"arn:aws:securityhub:us-east-1:{ACCT}:product/{ACCT}/default")
    assert pitr["Compliance"]["Status"] in ("FAILED", "PASSED")
    assert "AWS FSBP/DynamoDB.2" in pitr["Compliance"]["RelatedRequirements"]
    assert any("AWS-Foundational-Security-Best-Practices" in t for t in pitr["Types"])
    assert pitr["Resources"][0]["Type"] == "AwsDynamoDbTable"
    assert pitr["Remediation"]["Recommendation"]["Text"]
    assert by_control["dynaguard/DDB.015"]["Resources"][0]["Type"] == "AwsEc2Vpc"
    assert by_control["dynaguard/DDB.012"]["Resources"][0]["Type"] == "AwsIamPolicy"
    assert by_control["dynaguard/DDB.016"]["Resources"][0]["Type"] == "AwsKmsKey"
    assert by_control["dynaguard/DDB.001"]["Compliance"]["Status"] == "WARNING"
    assert by_control["dynaguard/DDB.004"]["Compliance"]["Status"] == "NOT_AVAILABLE"
    suppressed = by_control["dynaguard/DDB.014"]
    assert suppressed["Compliance"]["Status"] == "FAILED"
    assert suppressed["Workflow"] == {"Status": "SUPPRESSED"}
    assert by_control["dynaguard/DDB.012"]["ProductArn"].split(":")[3] == "us-east-1"


def test_passing_finding_is_informational_and_ids_are_stable():
    items = [i for i in rendered() if i["Compliance"]["Status"] == "PASSED"]
    assert items and all(i["Severity"]["Label"] == "INFORMATIONAL" for i in items)
    assert finding_id(finding()) == finding_id(finding(reason="another reason"))
    assert finding_id(finding()) != finding_id(finding(resource_arn="arn:aws:x:::other"))
    long = finding(resource_arn="arn:" + "x" * 600)
    assert len(finding_id(long)) <= 512


def test_infrastructure_code_has_no_account_for_asff():
    with pytest.raises(UsageError, match="AWS account"):
        get_renderer("asff")(iac_report())


def test_long_texts_are_clipped_to_the_limits():
    item = to_asff(
        finding(reason="r" * 5000, remediation="x" * 900), timestamp="2026-01-01T00:00:00Z"
    )
    assert problems(item) == []
    assert len(item["Description"]) == 1024


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_a_hostile_name_cannot_make_security_hub_reject_the_finding(kind):
    text = HOSTILE_TEXTS[kind]
    item = to_asff(hostile_finding(text), timestamp="2026-01-01T00:00:00Z", scope=text * 3)
    assert problems(item) == []  # lengths in UTF-16 units, no control/bidi/surrogate, not blank
    json.dumps(item).encode("utf-8")
    if text.strip():  # the information is still there, shown escaped
        shown = clean(text)[:200]
        assert item["Description"].startswith(shown[: min(len(shown), 100)])
        assert clean_line(text)[:100] in item["Resources"][0]["Id"]


def test_the_scope_field_matches_a_later_export_of_the_same_scope():
    for scope in ("aws:{}", "aws:" + "t" * 5000, "aws:\x1b[2J"):
        item = to_asff(finding(), timestamp="2026-01-01T00:00:00Z", scope=scope)
        field = item["ProductFields"]["dynaguard/scope"]
        assert field == scope_field(scope) and len(field) <= 2048
    assert scope_field("aws:" + "t" * 5000) != scope_field("aws:" + "t" * 5001)


def test_clipping_counts_utf16_units_and_never_splits_a_character():
    item = to_asff(finding(reason="\U0001f600" * 1000), timestamp="2026-01-01T00:00:00Z")
    assert item["Description"].endswith("…")
    assert utf16_length(item["Description"]) <= 1024
    assert set(item["Description"][:-1]) == {"\U0001f600"}
