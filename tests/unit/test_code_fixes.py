"""Every finding's fix is one a user can paste: in the language of the file the resource is
declared in (per resource: a folder can mix Terraform and CloudFormation), or for a live
resource an AWS CLI command with its real name, region and ARN."""

import re

import pytest

from dynaguard.config import Baseline
from dynaguard.config_load import parse_config
from dynaguard.controls import control_ids, get_control
from dynaguard.controls.base import Subject
from dynaguard.controls.code_fixes import CODE_FIXES, code_fix
from dynaguard.controls.live_fixes import LIVE_FIXES, live_fix
from dynaguard.evaluate import evaluate
from dynaguard.model import Inventory, Known, Origin, Pitr, RegionScope, SourceKind, Table

ARN = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"


def test_every_control_has_a_code_fix_for_both_languages():
    assert set(CODE_FIXES) == set(control_ids())
    for cid, fixes in CODE_FIXES.items():
        assert fixes.get("terraform") and fixes.get("cloudformation"), cid
    assert code_fix("DDB.002", "plan") == code_fix("DDB.002", "terraform")


def _table(name, origin):
    return Table(name, "111122223333", "eu-west-1", pitr=Known(Pitr(False)), origin=origin,
                 arn=ARN if origin is None or origin.source is SourceKind.AWS else None)  # fmt: skip


def _findings(*tables):
    scopes = tuple(RegionScope("111122223333", "eu-west-1", tables=Known((t,))) for t in tables)
    return {f.resource_id: f for f in evaluate(Inventory("iac", scopes), [get_control("DDB.002")],
                                                parse_config({}))[0]}  # fmt: skip


def test_a_mixed_folder_gets_each_fix_in_its_own_language():
    found = _findings(
        _table("tf", Origin(file="main.tf", line=3, source=SourceKind.TERRAFORM)),
        _table("cfn", Origin(file="stack.yaml", line=9, source=SourceKind.CLOUDFORMATION)),
        _table("planned", Origin(file="plan.json", source=SourceKind.PLAN)),
    )
    assert "point_in_time_recovery {" in found["tf"].remediation
    assert "PointInTimeRecoverySpecification" in found["cfn"].remediation
    assert found["planned"].remediation == found["tf"].remediation
    assert {f.source for f in found.values()} == {"terraform", "cloudformation", "plan"}


def test_a_live_finding_carries_its_real_names():
    live = _findings(_table("orders", Origin(region="eu-west-1", source=SourceKind.AWS)))
    fix = live["orders"].remediation
    assert fix.startswith(
        "aws dynamodb update-continuous-backups --region eu-west-1 --table-name orders "
    )
    assert "RecoveryPeriodInDays=35" in fix and "TABLE" not in fix and "REGION" not in fix


@pytest.mark.parametrize("control_id", sorted(LIVE_FIXES))
def test_every_live_fix_renders_without_placeholders_of_ours(control_id):
    kind = get_control(control_id).subject_kind
    subject = Subject(kind, "orders", "111122223333", "eu-west-1", ARN)
    fix = live_fix(control_id, subject, Baseline())
    assert fix is not None
    assert not re.search(r"\{[a-z]+\}", fix)  # every field filled
    assert not re.search(r"\b(TABLE|TABLE_ARN|REGION|ACCOUNT|CLUSTER|VPC_ID)\b", fix)
    assert "eu-west-1" in fix or "111122223333" in fix or ARN in fix


def test_names_that_are_not_plain_are_never_pasted_into_a_command():
    subject = Subject("table", "orders; rm -rf /", "111122223333", "eu-west-1", ARN)
    assert live_fix("DDB.003", subject, Baseline()) is None  # the general recipe instead
    inline = Subject("iam_policy", "role/app/inline", "111122223333", "global", None)
    assert live_fix("DDB.012", inline, Baseline()) is None  # no policy ARN to name
