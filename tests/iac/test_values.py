"""Value resolution: variables, var files, locals, modules, references, CloudFormation
parameters and conditions; AWS defaults applied in the adapter; controls without meaning for
the file set produce nothing rather than FAIL."""

from __future__ import annotations

from pathlib import Path

from dynaguard.iac_scan import scan_iac
from dynaguard.sources.iac.load import load_units
from tests.iac.conftest import FIXTURES, TAGGED, findings, scan, status_of

T = "aws_dynamodb_table"


def test_locals_and_variable_defaults_resolve() -> None:
    result = scan("terraform", "values")
    assert status_of(result, "DDB.003", f"{T}.via_data_alias") == "PASS"
    units, _, _ = load_units([FIXTURES / "terraform" / "values"])
    names = {t.name for t in units[0].tables}
    assert names == {"shop-prod-a", "shop-prod-b", "shop-prod-c"}


def test_reference_to_kms_key_is_a_customer_key_with_its_rotation() -> None:
    units, _, _ = load_units([FIXTURES / "terraform" / "values"])
    unit = units[0]
    table = next(t for t in unit.tables if t.address == f"{T}.via_alias_resource")
    assert table.encryption.value.key_ref == "aws_kms_key.rotating"  # type: ignore[union-attr]
    key = unit.kms_keys["aws_kms_key.rotating"].value  # type: ignore[union-attr]
    assert key.manager.value == "CUSTOMER"
    assert key.rotation_enabled.value is True  # type: ignore[union-attr]
    result = scan("terraform", "values")
    assert status_of(result, "DDB.001", f"{T}.via_alias_resource") == "PASS"
    assert status_of(result, "DDB.016", "aws_kms_key.rotating") == "PASS"


def test_literal_key_arn_not_declared_here_is_unknown() -> None:
    result = scan("terraform", "values")
    found = findings(
        result, "DDB.001", f"{T}.via_alias_resource".replace("via_alias_resource", "literal_key")
    )
    assert found[0].status.value == "UNKNOWN"
    assert "not declared" in found[0].reason


def test_local_module_inputs_resolve() -> None:
    result = scan("terraform", "module")
    address = "module.orders.aws_dynamodb_table.this"
    assert status_of(result, "DDB.003", address) == "PASS"  # protect = local.protect = true
    assert status_of(result, "DDB.002", address) == "FAIL"  # pitr = false
    # the module directory is evaluated through its caller only, not on its own
    assert not any(f.resource_id == "aws_dynamodb_table.this" for f in result.report.findings)


def test_auto_tfvars_and_var_file() -> None:
    base = FIXTURES / "tfvars"
    without = scan_iac([base], config=TAGGED)
    assert status_of(without, "DDB.003", f"{T}.t") == "PASS"  # defaults.auto.tfvars
    assert status_of(without, "DDB.002", f"{T}.t") == "UNKNOWN"  # pitr has no value
    with_file = scan_iac([base], config=TAGGED, var_files=[base / "prod.tfvars"])
    assert status_of(with_file, "DDB.002", f"{T}.t") == "PASS"


def test_aws_defaults_applied_in_the_adapter() -> None:
    units, _, _ = load_units([FIXTURES / "terraform" / "fail"])
    plain = next(t for t in units[0].tables if t.address == f"{T}.plain")
    assert plain.encryption.value.kms is False  # type: ignore[union-attr]
    assert plain.billing_mode.value == "PROVISIONED"  # type: ignore[union-attr]
    assert plain.pitr.value.enabled is False  # type: ignore[union-attr]
    assert plain.ttl.value.status == "DISABLED"  # type: ignore[union-attr]
    managed = next(t for t in units[0].tables if t.address == f"{T}.managed_key")
    assert managed.encryption.value.kms is True and managed.encryption.value.key_ref is None  # type: ignore[union-attr]


def test_no_vpc_and_no_dax_declared_means_no_such_findings(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "pk"\n}\n',
        encoding="utf-8",
    )
    result = scan_iac([tmp_path], config=TAGGED)
    controls = {f.control_id for f in result.report.findings}
    assert not controls & {"DDB.007", "DDB.008", "DDB.009", "DDB.012", "DDB.015"}
    assert all(
        f.status.value != "FAIL" or f.resource_type == "table" for f in result.report.findings
    )


def test_cloudformation_parameter_defaults_and_conditions(cfn_pass: object) -> None:
    result = scan("cloudformation", "pass.yaml")
    units, _, _ = load_units([FIXTURES / "cloudformation" / "pass.yaml"])
    orders = next(t for t in units[0].tables if t.address == "Orders")
    assert orders.name == "prod-orders"  # !Sub with a parameter default
    assert orders.pitr.value.enabled is True  # type: ignore[union-attr]  # !If on a true condition
    assert status_of(result, "DDB.004", "Ledger") == "PASS"  # !Sub "table/${Ledger}" resolved


def test_skips_terraform_cache_directories(tmp_path: Path) -> None:
    cache = tmp_path / ".terraform" / "modules" / "x"
    cache.mkdir(parents=True)
    (cache / "main.tf").write_text(
        'resource "aws_dynamodb_table" "hidden" {\n  name = "h"\n}\n', encoding="utf-8"
    )
    (tmp_path / "package.json").write_text('{"name": "app"}', encoding="utf-8")
    (tmp_path / "ci.yaml").write_text("jobs: {}\n", encoding="utf-8")
    result = scan_iac([tmp_path], config=TAGGED)
    assert result.report.findings == ()
    assert result.problems == ()
