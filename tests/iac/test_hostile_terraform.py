"""Terraform that crashes, loops or blows up the parser costs one unit; dropped blocks are said."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.errors import UsageError
from dynaguard.sources.iac.files import IacLimits
from dynaguard.sources.terraform.sources import display_path
from tests.iac.hostile import LIMITS, TABLE, lines, scan_tree, scanned, write

PANIC = """resource "aws_dynamodb_table" "p" {
  name     = "p"
  hash_key = "pk"
  dynamic "replica" {
    for_each = 5
    content {
      region_name = "eu-west-1"
    }
  }
}
"""


def test_a_parser_panic_costs_its_module_only(tmp_path: Path) -> None:
    write(tmp_path, {"panic/main.tf": PANIC, "good/main.tf": TABLE.format(name="good")})
    result = scan_tree(tmp_path)
    assert lines(result) == [
        f"{display_path(tmp_path / 'panic')}: the parser crashed (signal SIGABRT; panic: value "
        "is not a collection) while parsing the Terraform module: not scanned"
    ]
    assert scanned(result) == {"aws_dynamodb_table.good"}
    assert result.exit_code() == 3


def test_a_module_sourcing_itself_is_a_cycle_not_a_hang(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "self/main.tf": 'module "me" {\n  source = "./"\n}\n' + TABLE.format(name="s"),
            "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
            "b/main.tf": '\n\nmodule "a" {\n  source = "../a"\n}\n',
            "good/main.tf": TABLE.format(name="good"),
        },
    )
    result = scan_tree(tmp_path)
    found = lines(result)
    shown = display_path(tmp_path)
    assert (
        f"{shown}/self/main.tf:2: module {shown}/self uses itself: Terraform in {shown}/self is not scanned"
        in found
    )
    assert any(
        line.startswith(
            f"{shown}/b/main.tf:4: local modules form a cycle ({shown}/a -> {shown}/b -> {shown}/a)"
        )
        for line in found
    )
    assert scanned(result) == {"aws_dynamodb_table.good"}


def test_deep_nesting_hits_the_memory_or_time_limit(tmp_path: Path) -> None:
    depth = 100_000
    write(
        tmp_path,
        {
            "deep/main.tf": "locals {\n  x = " + "[" * depth + "]" * depth + "\n}\n",
            "good/main.tf": TABLE.format(name="good"),
        },
    )
    result = scan_tree(tmp_path, IacLimits(timeout_s=60, memory_mb=300, jobs=2))
    (line,) = lines(result)
    assert line.startswith(f"{display_path(tmp_path / 'deep')}: ")
    assert "while parsing the Terraform module: not scanned" in line
    assert scanned(result) == {"aws_dynamodb_table.good"}


def test_a_literal_count_above_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": TABLE.format(name="t").replace("{\n", "{\n  count = 50000\n", 1)})
    result = scan_tree(tmp_path)
    assert [(p.line, p.message) for p in result.problems] == [
        (
            2,
            "count of 50,000 is above the limit of 1,000 instances per block: "
            f"Terraform in {display_path(tmp_path)} is not scanned",
        )
    ]


DROPPED = """variable "unset" {}
variable "enabled" {
  default = false
}
resource "aws_dynamodb_table" "negative" {
  count    = -1
  name     = "n"
  hash_key = "pk"
}
resource "aws_dynamodb_table" "number" {
  for_each = 5
  name     = "f"
  hash_key = "pk"
}
resource "aws_dynamodb_table" "unresolved" {
  for_each = toset(var.unset)
  name     = each.key
  hash_key = "pk"
  deletion_protection_enabled = true
}
resource "aws_dynamodb_table" "disabled" {
  count    = var.enabled ? 1 : 0
  name     = "d"
  hash_key = "pk"
}
resource "aws_dynamodb_table" "empty" {
  for_each = {}
  name     = each.key
  hash_key = "pk"
}
module "tables" {
  source   = "./mod"
  for_each = var.unset
}
"""


def test_tables_the_parser_drops_are_reported_not_silently_passed(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": DROPPED, "mod/main.tf": TABLE.format(name="m")})
    result = scan_tree(tmp_path)
    assert [(p.line, p.message) for p in result.problems] == [
        (
            5,
            "aws_dynamodb_table.negative: count = -1 is not a whole number >= 0: Terraform "
            "rejects it; it is not scanned",
        ),
        (
            10,
            "aws_dynamodb_table.number: for_each = 5 is not a map or a set of strings: Terraform "
            "rejects it; it is not scanned",
        ),
        (
            15,
            "aws_dynamodb_table.unresolved: for_each = toset(var.unset) cannot be expanded "
            "offline (var.unset has no value); judged once as aws_dynamodb_table.unresolved[?]",
        ),
        (
            31,
            "module.tables: for_each = var.unset cannot be expanded offline (var.unset has no "
            "value); judged once as module.tables[?]",
        ),
    ]
    assert scanned(result) == {
        "aws_dynamodb_table.unresolved[?]",
        "module.tables[?].aws_dynamodb_table.m",
    }
    assert result.exit_code() == 3


def test_a_variable_set_in_a_var_file_is_a_value(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'variable "names" {}\n'
            + TABLE.format(name="t").replace("{\n", "{\n  for_each = var.names\n", 1),
            "terraform.tfvars": "names = {}\n",
        },
    )
    assert scan_tree(tmp_path).problems == ()


def test_non_utf8_terraform_is_a_line_without_parser_internals(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "bad/main.tf": b'resource "aws_dynamodb_table" "t" {\n  name = "caf\xe9"\n}\n',
            "good/main.tf": TABLE.format(name="good"),
        },
    )
    result = scan_tree(tmp_path)
    (problem,) = result.problems
    assert problem.line == 2 and problem.file.endswith("bad/main.tf")
    assert problem.message.startswith("Invalid character encoding")
    assert "TerraformConverter" not in problem.message and "diagnostic" not in problem.message
    assert scanned(result) == {"aws_dynamodb_table.good"}


def test_a_missing_var_file_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": TABLE.format(name="t")})
    from dynaguard.iac_scan import scan_iac

    with pytest.raises(UsageError, match=r"--var-file .*nope.tfvars'?: not found"):
        scan_iac([tmp_path], var_files=[tmp_path / "nope.tfvars"], limits=LIMITS)
