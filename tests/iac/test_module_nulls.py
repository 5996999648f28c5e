"""Terraform as real modules write it: null inputs ("not set"), lookup/try with null defaults,
dynamic replica blocks among many dynamic blocks, count-gated modules; and the tfparse
work-around that keeps every generated dynamic block."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import IacResult, scan_iac
from dynaguard.sources.iac.load import load_units
from dynaguard.sources.terraform.parse_mirror import ParseMirror
from dynaguard.sources.terraform.rewrites import PAD, rewritten
from tests.iac.conftest import FIXTURES, findings, scan, status_of

ORDERS = "module.orders.aws_dynamodb_table.this[0]"
AUDIT = "module.audit[0].aws_dynamodb_table.this[0]"
LEDGER = "aws_dynamodb_table.ledger"
MODULE_FILE = "module_nulls/modules/table/main.tf"


@pytest.fixture(scope="module")
def nulls() -> IacResult:
    return scan("terraform", "module_nulls")


@pytest.mark.parametrize(
    ("control", "resource", "region", "status"),
    [
        # deletion_protection_enabled = var.x whose default is null: off, as AWS defaults it
        ("DDB.003", ORDERS, "eu-west-1", "FAIL"),
        # recovery_period_in_days = var.x (null): the 35-day default window
        ("DDB.002", ORDERS, "eu-west-1", "PASS"),
        ("DDB.001", ORDERS, "eu-west-1", "PASS"),
        # the replicas of the dynamic "replica" block, before static blocks in the resource
        ("DDB.010", ORDERS, "us-east-1", "PASS"),
        ("DDB.011", ORDERS, "us-east-1", "PASS"),
        # lookup(replica.value, "kms_key_arn", null) on an item without it: the AWS managed key
        ("DDB.010", ORDERS, "ap-southeast-2", "FAIL"),
        ("DDB.011", ORDERS, "ap-southeast-2", "FAIL"),
        # a root variable without default or value, passed into the module: what plan asks
        ("DDB.003", AUDIT, "eu-west-1", "UNKNOWN"),
        ("DDB.002", AUDIT, "eu-west-1", "FAIL"),  # 7-day window passed through the module
        # try(local.m.k, null) and lookup(local.m, "k", null) on a map without the key
        ("DDB.003", LEDGER, "eu-west-1", "FAIL"),
        ("DDB.002", LEDGER, "eu-west-1", "PASS"),
    ],
)
def test_module_null_inputs_deploy_to_the_default(
    nulls: IacResult, control: str, resource: str, region: str, status: str
) -> None:
    assert status_of(nulls, control, resource, region) == status


def test_unknown_names_the_variable_plan_would_ask_for(nulls: IacResult) -> None:
    reason = findings(nulls, "DDB.003", AUDIT)[0].reason
    assert "var.protect_audit has no value" in reason


def test_count_gated_module_with_count_zero_deploys_nothing(nulls: IacResult) -> None:
    assert not [f for f in nulls.report.findings if "sessions" in f.resource_id]
    units, _, _ = load_units([FIXTURES / "terraform" / "module_nulls"])
    assert sorted(t.name for t in units[0].tables) == ["audit", "ledger", "orders"]


def test_replica_findings_point_at_the_dynamic_content_line(nulls: IacResult) -> None:
    replica = findings(nulls, "DDB.010", ORDERS, "ap-southeast-2")[0]
    assert replica.file is not None and replica.file.endswith(MODULE_FILE)
    lines = (FIXTURES / "terraform" / MODULE_FILE).read_text().splitlines()
    assert lines[replica.line - 1].strip() == "content {"  # type: ignore[operator]
    assert 'dynamic "replica"' in lines[replica.line - 3]  # type: ignore[operator]


def test_resource_region_argument_wins_over_the_provider(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  region = "us-west-2"\n}\n'
    )
    result = scan_iac([tmp_path])
    assert {f.region for f in result.report.findings} == {"us-west-2"}


# --- what tfparse reports for each kind of null, decided here -----------------------------------


@pytest.mark.parametrize(
    ("extra", "expression", "status"),
    [
        ('variable "x" {\n  default = null\n}\n', "var.x", "FAIL"),
        ('variable "x" {}\n', "var.x", "UNKNOWN"),
        ('variable "x" {\n  type = bool\n}\n', "var.x ? true : null", "UNKNOWN"),
        ('variable "m" {\n  default = {}\n}\n', 'lookup(var.m, "k", null)', "FAIL"),
        ('variable "m" {}\n', 'lookup(var.m, "k", null)', "UNKNOWN"),
        ("locals {\n  m = { a = 1 }\n}\n", "try(local.m.k, null)", "FAIL"),
        ("", "null", "FAIL"),
    ],
)
def test_null_against_unknown(tmp_path: Path, extra: str, expression: str, status: str) -> None:
    (tmp_path / "main.tf").write_text(
        extra + 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n'
        f"  deletion_protection_enabled = {expression}\n}}\n"
    )
    assert status_of(scan_iac([tmp_path]), "DDB.003", "aws_dynamodb_table.t") == status


def test_a_var_file_value_is_not_missing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "m" {}\nresource "aws_dynamodb_table" "t" {\n  name = "t"\n'
        '  deletion_protection_enabled = lookup(var.m, "protect", null)\n}\n'
    )
    (tmp_path / "terraform.tfvars").write_text("m = {\n  other = 1\n}\n")
    assert status_of(scan_iac([tmp_path]), "DDB.003", "aws_dynamodb_table.t") == "FAIL"


def test_null_input_to_a_non_nullable_variable_takes_its_default(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "protect" {\n  default = true\n  nullable = false\n}\n'
        'resource "aws_dynamodb_table" "t" {\n  name = "t"\n'
        "  deletion_protection_enabled = var.protect\n}\n"
    )
    (tmp_path / "main.tf").write_text('module "a" {\n  source = "./m"\n  protect = null\n}\n')
    result = scan_iac([tmp_path])
    assert status_of(result, "DDB.003", "module.a.aws_dynamodb_table.t") == "PASS"


def test_required_module_variable_not_set_by_its_caller(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "protect" {}\nresource "aws_dynamodb_table" "t" {\n  name = "t"\n'
        "  deletion_protection_enabled = var.protect\n}\n"
    )
    (tmp_path / "main.tf").write_text('module "a" {\n  source = "./m"\n}\n')
    found = findings(scan_iac([tmp_path]), "DDB.003", "module.a.aws_dynamodb_table.t")
    assert found[0].status.value == "UNKNOWN"
    assert "module.a does not set its required variable protect" in found[0].reason


# --- the parse mirror -------------------------------------------------------------------------


def test_pads_go_before_dynamic_blocks_only_in_code() -> None:
    text = (
        'resource "x" "y" {\n'
        '  policy = <<EOF\n  dynamic "not_code" {\nEOF\n'
        '  # dynamic "comment" {\n'
        '  dynamic "replica" {\n    for_each = []\n    content {}\n  }\n}\n'
    )
    padded, pads = rewritten(text, "unknown")
    lines = padded.split("\n")
    assert pads == [6]
    assert lines[5].strip() == PAD and lines[6].strip().startswith('dynamic "replica"')
    assert len(lines) == len(text.split("\n")) + 1


def test_mirror_maps_lines_back_and_leaves_the_originals(tmp_path: Path) -> None:
    source = (
        'resource "aws_dynamodb_table" "t" {\n  dynamic "replica" {\n    for_each = ["a"]\n'
        "    content {\n      region_name = replica.value\n    }\n  }\n"
        '  timeouts {\n    create = "1m"\n  }\n}\n'
    )
    (tmp_path / "main.tf").write_text(source)
    with ParseMirror(tmp_path, []) as mirror:
        copied = (mirror.root / "main.tf").read_text()
        assert PAD in copied
        assert mirror.original_line(tmp_path / "main.tf", 5) == 4  # "content {" moved down one
        assert mirror.original_line(tmp_path / "main.tf", 1) == 1
    assert (tmp_path / "main.tf").read_text() == source
    units, _, _ = load_units([tmp_path])
    (table,) = units[0].tables
    (replica,) = table.replicas.value  # type: ignore[union-attr]
    assert replica.region == "a" and replica.origin is not None and replica.origin.line == 4


# --- data sources every module reads --------------------------------------------------------


def test_known_data_sources_get_values_and_lines_stay() -> None:
    text = (
        'data "aws_partition" "current" {}\n'
        'data "aws_region" "current" {\n}\n'
        'data "aws_region" "lookup" {\n  name = "us-west-2"\n}\n'
        'resource "x" "y" {\n  policy = <<EOF\ndata "aws_partition" "not_code" {}\nEOF\n}\n'
    )
    new, inserted = rewritten(text, "eu-west-1")
    lines = new.split("\n")
    assert lines[:5] == [
        'data "aws_partition" "current" {',
        '  partition = "aws"',
        '  dns_suffix = "amazonaws.com"',
        '  reverse_dns_prefix = "com.amazonaws"',
        "}",
    ]
    assert lines[5:9] == [
        'data "aws_region" "current" {',
        '  name = "eu-west-1"',
        '  region = "eu-west-1"',
        "}",
    ]
    assert new.count('name = "') == 2  # the lookup keeps its own name only
    assert 'data "aws_partition" "not_code" {}' in new  # heredoc text untouched
    originals = [n for n in range(1, len(lines) + 1) if n not in inserted]
    # every other line is the original line, in order (the one-line block lost its "}")
    expected = ['data "aws_partition" "current" {', *text.split("\n")[1:]]
    assert [lines[n - 1] for n in originals] == expected


def test_policy_built_with_partition_region_and_account_is_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'data "aws_partition" "current" {}\ndata "aws_region" "current" {}\n'
        'data "aws_caller_identity" "me" {}\n'
        'resource "aws_iam_role_policy" "p" {\n  role = "r"\n  policy = jsonencode({\n'
        '    Statement = [{\n      Effect = "Allow",\n      Action = ["dynamodb:*"],\n'
        '      Resource = "arn:${data.aws_partition.current.partition}:dynamodb:'
        '${data.aws_region.current.name}:${data.aws_caller_identity.me.account_id}:table/*"\n'
        "    }]\n  })\n}\n"
    )
    result = scan_iac([tmp_path])
    finding = findings(result, "DDB.012", "aws_iam_role_policy.p")[0]
    assert finding.status.value == "FAIL" and finding.line == 7
    assert "arn:aws:dynamodb:eu-west-1:000000000000:table/*" in finding.reason


def test_endpoint_of_another_service_in_an_unknown_region_is_not_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "region" {}\nresource "aws_vpc" "v" {}\n'
        'resource "aws_vpc_endpoint" "api" {\n  vpc_id = aws_vpc.v.id\n'
        '  service_name = "com.amazonaws.${var.region}.execute-api"\n}\n'
        'resource "aws_vpc_endpoint" "ddb" {\n  vpc_id = aws_vpc.v.id\n'
        '  service_name = "com.amazonaws.${var.region}.dynamodb"\n}\n'
    )
    assert status_of(scan_iac([tmp_path]), "DDB.015", "aws_vpc.v") == "PASS"


def test_two_root_modules_sharing_a_module_are_two_tables(tmp_path: Path) -> None:
    (tmp_path / "modules" / "t").mkdir(parents=True)
    (tmp_path / "modules" / "t" / "main.tf").write_text(
        'variable "protect" {}\nresource "aws_dynamodb_table" "this" {\n  name = "t"\n'
        "  deletion_protection_enabled = var.protect\n}\n"
    )
    for root, protect in (("dev", "false"), ("prod", "true")):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text(
            f'module "t" {{\n  source = "../modules/t"\n  protect = {protect}\n}}\n'
        )
    result = scan_iac([tmp_path])
    verdicts = sorted(
        (f.file.split("/")[-5], f.status.value)  # type: ignore[union-attr]
        for f in result.report.findings
        if f.control_id == "DDB.003"
    )
    assert verdicts == [("dev", "FAIL"), ("prod", "PASS")]
