from dynaguard.config import parse_config
from dynaguard.controls import control_ids, get_control
from dynaguard.controls.code_fixes import CODE_FIXES, code_fix
from dynaguard.evaluate import evaluate
from dynaguard.model import Inventory, Known, Origin, Pitr, RegionScope, Table


def test_every_control_has_a_code_fix_for_both_languages():
    assert set(CODE_FIXES) == set(control_ids())
    for cid, fixes in CODE_FIXES.items():
        assert fixes.get("terraform") and fixes.get("cloudformation"), cid
    assert code_fix("DDB.002", "plan") == code_fix("DDB.002", "terraform")


def _finding(source):
    t = Table(
        "t",
        "000000000000",
        "us-east-1",
        pitr=Known(Pitr(False)),
        origin=Origin(file="main.tf", line=1) if source != "aws" else None,
    )
    inv = Inventory(source, (RegionScope("000000000000", "us-east-1", tables=Known((t,))),))
    (finding,) = evaluate(inv, [get_control("DDB.002")], parse_config({}))[0]
    return finding


def test_code_findings_get_the_fix_in_code_live_findings_the_cli_command():
    assert "point_in_time_recovery {" in _finding("terraform").remediation
    assert "PointInTimeRecoverySpecification" in _finding("cloudformation").remediation
    assert "aws dynamodb update-continuous-backups" in _finding("aws").remediation
