"""Legacy (2017) global tables, parse errors in local modules, multi-Region replica keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynaguard.cli.main import run
from dynaguard.iac_scan import IacResult
from tests.iac.conftest import FIXTURES, findings, scan, status_of

T = "aws_dynamodb_table"
GT = "aws_dynamodb_global_table"
REPLICA_CONTROLS = ("DDB.010", "DDB.011")


@pytest.fixture(scope="module")
def legacy_pass() -> IacResult:
    return scan("terraform", "global_table_2017", "pass")


@pytest.fixture(scope="module")
def legacy_fail() -> IacResult:
    return scan("terraform", "global_table_2017", "fail")


@pytest.fixture(scope="module")
def legacy_unknown() -> IacResult:
    return scan("terraform", "global_table_2017", "unknown")


def _replica_verdicts(result: IacResult) -> dict[tuple[str, str, str], str]:
    return {
        (f.control_id, f.resource_id, f.region): f.status.value
        for f in result.report.findings
        if f.control_id in REPLICA_CONTROLS
    }


# --- aws_dynamodb_global_table (2017.11.29) ----------------------------------------------------


def test_legacy_global_table_every_replica_passes(legacy_pass: IacResult) -> None:
    assert _replica_verdicts(legacy_pass) == {
        (control, f"{T}.{name}", region): "PASS"
        for control in REPLICA_CONTROLS
        for name, region in (("use1", "us-east-1"), ("usw2", "us-west-2"))
    }
    bad = [
        (f.control_id, f.resource_id, f.reason)
        for f in legacy_pass.report.findings
        if f.status.value in ("FAIL", "UNKNOWN")
    ]
    assert bad == []
    assert legacy_pass.exit_code() == 0


def test_member_tables_take_their_provider_region(legacy_pass: IacResult) -> None:
    assert findings(legacy_pass, "DDB.001", f"{T}.use1")[0].region == "us-east-1"
    assert findings(legacy_pass, "DDB.001", f"{T}.usw2")[0].region == "us-west-2"


@pytest.mark.parametrize(
    ("control", "resource", "region", "status"),
    [
        ("DDB.010", f"{T}.use1", "us-east-1", "PASS"),
        ("DDB.011", f"{T}.use1", "us-east-1", "PASS"),
        ("DDB.010", f"{T}.usw2", "us-west-2", "FAIL"),  # AWS owned key
        ("DDB.011", f"{T}.usw2", "us-west-2", "FAIL"),  # no PITR
        ("DDB.010", f"{T}.euw1", "eu-west-1", "FAIL"),  # AWS managed key
        ("DDB.011", f"{T}.euw1", "eu-west-1", "FAIL"),  # 3-day window
        ("DDB.010", f"{GT}.orders", "ap-southeast-2", "UNKNOWN"),  # no table declared there
        ("DDB.011", f"{GT}.orders", "ap-southeast-2", "UNKNOWN"),
        ("DDB.010", f"{T}.sae1", "sa-east-1", "NOT_APPLICABLE"),  # same name, region not listed
    ],
)
def test_legacy_global_table_verdicts(
    legacy_fail: IacResult, control: str, resource: str, region: str, status: str
) -> None:
    assert status_of(legacy_fail, control, resource, region) == status


def test_legacy_global_table_judges_every_listed_region_once(legacy_fail: IacResult) -> None:
    for control in REPLICA_CONTROLS:
        regions = sorted(
            f.region
            for f in legacy_fail.report.findings
            if f.control_id == control and f.status.value != "NOT_APPLICABLE"
        )
        assert regions == ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"]
    missing = findings(legacy_fail, "DDB.010", f"{GT}.orders", "ap-southeast-2")[0]
    assert "no aws_dynamodb_table named 'orders' is declared for ap-southeast-2" in missing.reason
    assert missing.file and missing.file.endswith("fail/main.tf") and missing.line == 82
    assert legacy_fail.exit_code() == 1


def test_legacy_global_table_unresolvable_is_unknown_never_pass(legacy_unknown: IacResult) -> None:
    verdicts = _replica_verdicts(legacy_unknown)
    assert set(verdicts.values()) == {"UNKNOWN"}
    # the name is a variable without a value: the candidate table's replicas are unknown
    maybe = findings(legacy_unknown, "DDB.010", f"{T}.maybe_member")[0]
    assert maybe.status.value == "UNKNOWN" and "var.table_name" in maybe.reason
    # a region_name without a value: that replica is unknown, with the expression
    assert "var.second_region" in findings(legacy_unknown, "DDB.011", f"{GT}.events")[0].reason
    # no table of the global table is declared: its replicas are still judged (unknown)
    elsewhere = findings(legacy_unknown, "DDB.010", f"{GT}.elsewhere", "us-west-2")
    assert elsewhere[0].status.value == "UNKNOWN"
    assert "named 'elsewhere' is declared for us-west-2" in elsewhere[0].reason
    assert status_of(legacy_unknown, "DDB.001", f"{GT}.elsewhere") == "UNKNOWN"


# --- a parse error inside a folder used only as a local module ---------------------------------

BROKEN_MODULE = FIXTURES / "terraform" / "module_broken"
BROKEN_LINE = "module_broken/modules/x/main.tf:4: Invalid expression"


@pytest.mark.parametrize("target", [BROKEN_MODULE, BROKEN_MODULE / "main.tf"])
def test_broken_local_module_is_one_line_and_exit_3(
    target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the directory (module folder scanned too) and the root file alone (module not walked)
    assert run(["iac", str(target), "--format", "json"]) == 3
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if "modules/x" in line]
    assert len(lines) == 1 and BROKEN_LINE in lines[0], err
    report = json.loads(out)
    assert report["summary"]["FAIL"] == 0
    assert [n for n in report["notices"] if "modules/x" in n] == [lines[0].split(": ", 1)[1]]


def test_broken_local_module_outside_the_scanned_path(tmp_path: Path) -> None:
    live, module = tmp_path / "live" / "prod", tmp_path / "modules" / "table"
    live.mkdir(parents=True)
    module.mkdir(parents=True)
    (live / "main.tf").write_text('module "t" {\n  source = "../../modules/table"\n}\n')
    (module / "main.tf").write_text('resource "aws_dynamodb_table" "t" {\n  name = = "x"\n}\n')
    from dynaguard.iac_scan import scan_iac

    result = scan_iac([live])
    assert [(Path(p.file).name, p.line) for p in result.problems] == [("main.tf", 2)]
    assert result.problems[0].file.endswith("modules/table/main.tf")
    assert result.exit_code() == 3


def test_missing_local_module_is_reported_at_the_call(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('\nmodule "t" {\n  source = "./modules/gone"\n}\n')
    from dynaguard.iac_scan import scan_iac

    result = scan_iac([tmp_path])
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.file.endswith("main.tf") and problem.line == 3
    assert "modules/gone not found" in problem.message
    assert result.exit_code() == 3


# --- aws_kms_replica_key: rotation follows the primary key --------------------------------------


@pytest.fixture(scope="module")
def replica_keys() -> IacResult:
    return scan("terraform", "kms_replica")


@pytest.mark.parametrize(
    ("key", "status", "why"),
    [
        ("rotated", "PASS", "rotates automatically"),
        ("not_rotated", "FAIL", "automatic rotation is disabled"),
        ("disabled", "FAIL", "is Disabled"),
        ("elsewhere", "UNKNOWN", "is not declared in the scanned code"),
    ],
)
def test_replica_key_rotation_follows_its_primary(
    replica_keys: IacResult, key: str, status: str, why: str
) -> None:
    found = findings(replica_keys, "DDB.016", f"aws_kms_replica_key.{key}")
    assert len(found) == 1 and found[0].status.value == status, found
    assert why in found[0].reason
    assert found[0].region == "us-west-2"  # where the table using it (and the key) lives


def test_replica_key_unknown_names_the_primary(replica_keys: IacResult) -> None:
    reason = findings(replica_keys, "DDB.016", "aws_kms_replica_key.elsewhere")[0].reason
    assert "rotates with its primary key" in reason
    assert "mrk-1234abcd12ab34cd56ef1234567890ab" in reason
