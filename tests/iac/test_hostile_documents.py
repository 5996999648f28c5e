"""CloudFormation and plan JSON checked against their shape: one line with file and line each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.iac.hostile import TEMPLATE, lines, scan_tree, scanned, write

HEAD = """AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Prod: !Equals [a, a]
Mappings:
  Sizes: {{small: {{read: "5"}}}}
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      DeletionProtectionEnabled: true
      TableName: {value}
"""

FUNCTIONS = [
    ("!Sub []", "Fn::Sub takes a string or [string, {variables}], not a list of 0 items"),
    ("!If [Prod]", "Fn::If takes [condition, value if true, value if false], not [a string]"),
    ("!Join 5", "Fn::Join takes [delimiter, [values]], not a string"),
    (
        "!FindInMap [Sizes]",
        "Fn::FindInMap takes [map, top-level key, second-level key], not [a string]",
    ),
    (
        "!GetAtt [Orders]",
        "Fn::GetAtt takes 'Resource.Attribute' or [resource, attribute], not [a string]",
    ),
    ("!Ref [a, b]", "Ref takes a name, not [a string, a string]"),
    ("!Select [0]", "Fn::Select takes [index, [values]], not [a number]"),
    ("!Not 5", "Fn::Not takes [condition], not a string"),
    ("!Sub {a: b}", "Fn::Sub takes a string or [string, {variables}], not a map"),
]


@pytest.mark.parametrize(("value", "message"), FUNCTIONS)
def test_an_intrinsic_function_of_the_wrong_shape_is_one_line(
    tmp_path: Path, value: str, message: str
) -> None:
    write(
        tmp_path,
        {"t.yaml": HEAD.format(value=value), "ok.yaml": TEMPLATE.replace("Orders", "Other")},
    )
    result = scan_tree(tmp_path, controls=("DDB.003", "DDB.001"))
    assert [(p.line, p.message) for p in result.problems] == [
        (11, f"Orders.Properties.TableName: {message}")
    ]
    assert {"Orders", "Other"} <= scanned(result)  # the rest of the resource is still judged


SHAPES = [
    ("Resources:\n  - Orders\n", 2, "Resources must be a map, not a list of 1 item"),
    ("Resources: 5\n", 1, "Resources must be a map, not a number"),
    (
        "Resources:\n  Orders: hello\n",
        2,
        "resource Orders must be a map with a Type, not a string: it is not scanned",
    ),
    (
        "Resources:\n  Orders:\n    Properties: {}\n",
        3,
        "resource Orders has no Type: it is not scanned",
    ),
    (
        "Resources:\n  Orders:\n    Type: [AWS::DynamoDB::Table]\n",
        3,
        "resource Orders has a Type that is a list of 1 item, not a string: it is not scanned",
    ),
    (
        "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties: [1]\n",
        3,
        "resource Orders has Properties that are a list of 1 item, not a map: it is not scanned",
    ),
    (
        "Parameters:\n  P:\n    Type: String\n    Default: !Ref P\nResources:\n  T:\n    Type: AWS::SNS::Topic\n",
        4,
        "the Default of parameter P must be a plain value, not an intrinsic function",
    ),
    (
        "Mappings:\n  M: [1]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n",
        2,
        "mapping M must be a map of maps",
    ),
]


@pytest.mark.parametrize(("body", "line", "message"), SHAPES)
def test_a_template_of_the_wrong_shape_is_one_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    write(tmp_path, {"t.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\n' + body})
    result = scan_tree(tmp_path)
    assert [(p.line - 1 if p.line else None, p.message) for p in result.problems] == [
        (line, message)
    ]
    assert result.exit_code() == 3


def test_json_nested_a_thousand_deep_is_one_line(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    write(
        tmp_path,
        {
            "t.json": '{"AWSTemplateFormatVersion": "2010-09-09",\n"Resources": {"T": {"Type": '
            f'"AWS::DynamoDB::Table", "Properties": {{"TableName": {deep}}}}}}}}}\n',
            "plan.json": '{"format_version": "1.2",\n "planned_values": ' + deep + "}\n",
            "ok.yaml": TEMPLATE,
        },
    )
    result = scan_tree(tmp_path)
    assert sorted((Path(p.file).name, p.line, p.message) for p in result.problems) == [
        ("plan.json", 2, "nested deeper than 64 levels: not scanned"),
        ("t.json", 2, "nested deeper than 64 levels: not scanned"),
    ]
    assert scanned(result) == {"Orders"}


def test_deep_yaml_inside_a_template_becomes_unknown(tmp_path: Path) -> None:
    deep = "[" * 200 + "]" * 200
    write(tmp_path, {"t.yaml": HEAD.format(value=deep)})
    result = scan_tree(tmp_path)
    ((line, message),) = [(p.line, p.message) for p in result.problems]
    assert "nested deeper than" in message and line is not None


def test_yaml_alias_amplification_is_bounded(tmp_path: Path) -> None:
    body = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Mappings:",
        '  a: &a ["x","x","x","x","x","x","x","x","x"]',
    ]
    previous = "a"
    for name in "bcdefghij":
        body.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    body += [
        "Resources:",
        "  T:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        f"      Tags: *{previous}",
    ]
    write(tmp_path, {"bomb.yaml": "\n".join(body) + "\n", "ok.yaml": TEMPLATE})
    result = scan_tree(tmp_path)
    (message,) = [p.message for p in result.problems]
    assert "YAML alias" in message
    assert scanned(result) == {"Orders"}


PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_dynamodb_table.t",
                    "mode": "managed",
                    "type": "aws_dynamodb_table",
                    "values": {"name": "t", "deletion_protection_enabled": True},
                }
            ]
        }
    },
}


def _broken(path: list[object], value: object) -> dict[str, object]:
    plan = json.loads(json.dumps(PLAN))
    node = plan
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return plan


PLAN_SHAPES = [
    (
        ["planned_values"],
        [],
        3,
        "planned_values: expected a valid dictionary, got a list of 0 items",
    ),
    (
        ["planned_values", "root_module", "resources"],
        {"a": 1},
        5,
        "planned_values.root_module.resources: expected a valid list, got a map",
    ),
    (
        ["planned_values", "root_module", "resources", 0, "address"],
        7,
        7,
        "planned_values.root_module.resources[0].address: expected a valid string, got a number",
    ),
    (
        ["resource_changes"],
        [5],
        19,
        "resource_changes[0]: expected a valid dictionary, got a number",
    ),
    (
        ["configuration"],
        {"provider_config": {"aws": "x"}},
        20,
        "configuration.provider_config.aws: expected a valid dictionary, got a string",
    ),
]


@pytest.mark.parametrize(("path", "value", "line", "expected"), PLAN_SHAPES)
def test_a_plan_of_the_wrong_shape_is_one_line(
    tmp_path: Path, path: list[object], value: object, line: int, expected: str
) -> None:
    write(tmp_path, {"plan.json": json.dumps(_broken(path, value), indent=2)})
    result = scan_tree(tmp_path)
    (problem,) = result.problems
    assert problem.message == f"not a Terraform plan as written by Terraform: {expected}"
    assert problem.line == line
    assert result.exit_code() == 3


def test_a_good_plan_still_scans(tmp_path: Path) -> None:
    write(tmp_path, {"plan.json": json.dumps(PLAN)})
    result = scan_tree(tmp_path)
    assert result.problems == () and scanned(result) == {"aws_dynamodb_table.t"}
    assert result.exit_code() == 0


def test_json_that_only_mentions_the_words_is_not_ours(tmp_path: Path) -> None:
    write(tmp_path, {"doc.json": json.dumps({"text": '"Resources" and "AWS::x" in prose'})})
    result = scan_tree(tmp_path)
    assert result.problems == () and result.report.notices == ()


def test_lines_from_a_hostile_file_are_printable(tmp_path: Path) -> None:
    write(
        tmp_path, {"t.yaml": HEAD.format(value="!Join 5").replace("Orders", "Ord\x1b]8;;x\x07ers")}
    )
    result = scan_tree(tmp_path)
    assert all(c.isprintable() for line in lines(result) for c in line)
