"""Registry, git and other remote modules: read through terraform init's modules.json, and
every module that cannot be read is one line at its call, exit 3, never a silent pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dynaguard.cli.main import run
from dynaguard.iac_scan import scan_iac
from dynaguard.sources.terraform.modules import ModuleCall, module_calls
from tests.iac.conftest import FIXTURES, status_of

REGISTRY = FIXTURES / "terraform" / "registry"
TABLE_MODULE = FIXTURES / "terraform" / "module_nulls" / "modules" / "table"
INSTALLED = {
    "orders": ("registry.terraform.io/terraform-aws-modules/dynamodb-table/aws", "orders"),
    "events": (
        "git::https://example.com/platform/terraform-modules.git//dynamodb-table?ref=v2.1.0",
        "events/dynamodb-table",
    ),
    "wrapped": ("./modules/wrapper", None),
    "wrapped.inner": ("app.terraform.io/example-org/dynamodb-table/aws", "wrapped.inner"),
}


def _initialised(tmp_path: Path, skip: tuple[str, ...] = ()) -> Path:
    """The fixture as `terraform init` leaves it: module code under .terraform/modules."""
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY, root)
    entries = [{"Key": "", "Source": "", "Dir": "."}]
    for key, (source, folder) in INSTALLED.items():
        if key in skip:
            continue
        directory = f".terraform/modules/{folder}" if folder else "modules/wrapper"
        if folder:
            shutil.copytree(TABLE_MODULE, root / directory)
        entries.append({"Key": key, "Source": source, "Version": "1.0.0", "Dir": directory})
    (root / ".terraform" / "modules").mkdir(parents=True, exist_ok=True)
    (root / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": entries}))
    return root


def test_without_terraform_init_every_remote_module_is_one_line_and_exit_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["iac", str(REGISTRY), "--format", "json"]) == 3
    _, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if "cannot be read" in line]
    assert len(lines) == 3, err
    assert any(
        "registry/main.tf:8:" in line
        and 'module "orders" (registry source' in line
        and "no .terraform/modules/modules.json (run terraform init)" in line
        for line in lines
    )
    assert any("registry/main.tf:16:" in line and "(git source git::" in line for line in lines)
    assert any("wrapper/main.tf:1:" in line and 'module "inner"' in line for line in lines)


def test_with_modules_json_the_installed_code_is_scanned(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    result = scan_iac([root])
    assert result.problems == ()
    assert status_of(result, "DDB.002", "module.orders.aws_dynamodb_table.this[0]") == "PASS"
    assert status_of(result, "DDB.003", "module.orders.aws_dynamodb_table.this[0]") == "FAIL"
    assert status_of(result, "DDB.003", "module.events.aws_dynamodb_table.this[0]") == "PASS"
    inner = "module.wrapped.module.inner.aws_dynamodb_table.this[0]"
    assert status_of(result, "DDB.003", inner) == "FAIL"
    location = next(f for f in result.report.findings if f.resource_id == inner)
    assert location.file is not None and ".terraform/modules/wrapped.inner/main.tf" in location.file


def test_a_module_missing_from_modules_json_is_reported(tmp_path: Path) -> None:
    root = _initialised(tmp_path, skip=("events",))
    result = scan_iac([root])
    assert [(Path(p.file).name, p.line) for p in result.problems] == [("main.tf", 16)]
    assert "not in .terraform/modules/modules.json (run terraform init again)" in (
        result.problems[0].message
    )
    assert result.exit_code() in (1, 3)  # FAILs elsewhere win over the incomplete audit


def test_an_installed_directory_that_is_gone_or_a_changed_source(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    shutil.rmtree(root / ".terraform" / "modules" / "orders")
    text = (root / "modules" / "wrapper" / "main.tf").read_text()
    (root / "modules" / "wrapper" / "main.tf").write_text(
        text.replace("example-org/dynamodb-table", "example-org/other-table")
    )
    messages = sorted(p.message for p in scan_iac([root]).problems)
    assert len(messages) == 2
    assert "which is missing (run terraform init)" in messages[1]
    assert "is installed, not this source (run terraform init again)" in messages[0]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("./modules/x", "local"),
        ("../shared", "local"),
        ("terraform-aws-modules/dynamodb-table/aws", "registry"),
        ("app.terraform.io/org/table/aws", "registry"),
        ("terraform-aws-modules/dynamodb-table/aws//modules/x", "registry"),
        ("github.com/org/repo", "git"),
        ("git::https://example.com/x.git?ref=v1", "git"),
        ("git@github.com:org/repo.git", "git"),
        ("bitbucket.org/org/repo", "git"),
        ("https://example.com/module.zip", "remote"),
        ("s3::https://s3.amazonaws.com/bucket/module.zip", "remote"),
        (None, "unknown"),
    ],
)
def test_module_source_kinds(source: str | None, kind: str) -> None:
    assert ModuleCall("m", source, None, Path("main.tf"), 1).kind == kind


def test_module_calls_read_literal_sources_and_lines() -> None:
    calls = list(module_calls(REGISTRY))
    assert [(c.name, c.line, c.version) for c in calls] == [
        ("orders", 8, "5.5.0"),
        ("events", 16, None),
        ("wrapped", 23, None),
    ]
