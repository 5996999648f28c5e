"""Meta-test: every registered control declares a complete, consistent contract."""

from __future__ import annotations

import re

import pytest

from dynaguard.controls.base import Control
from dynaguard.controls.registry import all_controls, control_ids, get_control
from dynaguard.model import FACTS, Severity

# The table of CONTROLS.md: id -> (severity, subject kind, FSBP id or None).
EXPECTED = {
    "DDB.001": ("high", "table", None),
    "DDB.002": ("medium", "table", "DynamoDB.2"),
    "DDB.003": ("medium", "table", "DynamoDB.6"),
    "DDB.004": ("medium", "table", "DynamoDB.1"),
    "DDB.005": ("medium", "table", "DynamoDB.4"),
    "DDB.006": ("high", "table", None),
    "DDB.007": ("medium", "dax_cluster", "DynamoDB.3"),
    "DDB.008": ("medium", "dax_cluster", "DynamoDB.7"),
    "DDB.009": ("medium", "dax_cluster", None),
    "DDB.010": ("high", "table", None),
    "DDB.011": ("medium", "table", None),
    "DDB.012": ("high", "iam_policy", None),
    "DDB.013": ("low", "table", None),
    "DDB.014": ("low", "table", None),
    "DDB.015": ("medium", "vpc", None),
    "DDB.016": ("medium", "kms_key", None),
    "DDB.017": ("low", "table", None),  # DynamoDB.5 is in the Resource Tagging Standard
    "DDB.018": ("low", "table", None),
}
CONFIG_RULES = {
    "DDB.001": "dynamodb-table-encrypted-kms",
    "DDB.015": "service-vpc-endpoint-enabled",
    "DDB.016": "cmk-backing-key-rotation-enabled",
    "DDB.017": "required-tags",  # AWS Config has no "dynamodb-table-tagged" managed rule
}
CONTROLS = all_controls()


def test_every_control_is_registered_in_order() -> None:
    assert control_ids() == sorted(EXPECTED)


@pytest.mark.parametrize("c", CONTROLS, ids=lambda c: c.id)
def test_contract_is_complete(c: Control) -> None:
    assert re.fullmatch(r"DDB\.\d{3}", c.id)
    assert c.title.strip() and c.rationale.strip() and c.remediation.strip()
    assert len(c.rationale) > 40, "a rationale says why, in a sentence"
    assert c.facts, "every control needs some fact"
    assert c.facts <= FACTS
    assert isinstance(c.severity, Severity)
    assert c.check.__doc__ is None or c.check.__doc__.strip()
    assert not c.check.__name__.startswith(("check", "ddb")), "name says what it checks"


@pytest.mark.parametrize("c", CONTROLS, ids=lambda c: c.id)
def test_severity_and_subject_match_the_specification(c: Control) -> None:
    severity, kind, _ = EXPECTED[c.id]
    assert c.severity.value == severity
    assert c.subject_kind == kind


@pytest.mark.parametrize("c", CONTROLS, ids=lambda c: c.id)
def test_framework_mappings_match_the_specification(c: Control) -> None:
    _, _, fsbp = EXPECTED[c.id]
    if fsbp is not None:
        assert c.frameworks.get("AWS FSBP") == (fsbp,)
    if c.id in CONFIG_RULES:
        assert CONFIG_RULES[c.id] in c.frameworks.get("AWS Config", ())


def test_modules_are_named_after_their_control() -> None:
    for c in CONTROLS:
        module = c.check.__module__.rsplit(".", 1)[-1]
        assert module.startswith("ddb" + c.id.split(".")[1] + "_"), module


def test_get_control_returns_the_registered_one() -> None:
    assert get_control("DDB.009").subject_kind == "dax_cluster"
