"""Meta-test: every registered remediation declares its contract, and the shipped harden policy
allows every permission they declare."""

from __future__ import annotations

import json
import re
from importlib import resources

from dynaguard.controls.registry import control_ids
from dynaguard.remediation.registry import all_remediations

ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z*]+$")


def _allowed() -> set[str]:
    text = resources.files("dynaguard.policies").joinpath("harden-policy.json").read_text()
    return {
        a for st in json.loads(text)["Statement"] if st["Effect"] == "Allow" for a in st["Action"]
    }


def test_every_control_has_a_remediation_or_manual_steps():
    assert [r.control_id for r in all_remediations()] == control_ids()


def test_every_remediation_declares_permissions_and_valid_states():
    for rem in all_remediations():
        assert rem.permissions, rem.control_id
        assert all(ACTION.match(p) for p in rem.permissions), rem.permissions
        assert rem.valid_states and all(rem.valid_states), rem.control_id
        assert rem.subject in ("table", "dax_cluster", "vpc", "kms_key", "iam_policy")
        assert rem.summary


def test_policy_allows_every_declared_permission():
    allowed = _allowed()
    for rem in all_remediations():
        missing = set(rem.permissions) - allowed
        assert not missing, (rem.control_id, missing)


def test_opt_in_and_manual_sets_follow_the_issue():
    opt_in = {r.control_id for r in all_remediations() if r.opt_in}
    manual = {r.control_id for r in all_remediations() if r.manual_only}
    assert opt_in == {"DDB.006", "DDB.013", "DDB.015"}
    assert manual == {"DDB.007", "DDB.008", "DDB.012"}


def test_policy_never_allows_deleting_tables_or_touching_items():
    allowed = _allowed()
    for action in ("dynamodb:DeleteTable", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:*"):
        assert action not in allowed
