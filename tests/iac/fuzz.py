"""Strategies for the fuzz suite: CloudFormation, plan JSON and Terraform built from their own
vocabulary with wrong arities, wrong types, odd nesting and hostile values, plus byte-level
mutations of the real fixtures."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

FUNCTIONS = (
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::FindInMap",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::Cidr",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::ForEach::Loop",
    "Fn::Transform",
)
NAMES = ("Orders", "Key", "P", "C", "M", "AWS::Region", "AWS::NoValue", "AWS::AccountId", "")
TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::DAX::Cluster",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::EC2::VPCEndpoint",
    "AWS::Backup::BackupSelection",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::CloudFormation::Stack",
    "AWS::Serverless::SimpleTable",
)
PROPERTIES = (
    "TableName",
    "SSESpecification",
    "SSEEnabled",
    "KMSMasterKeyId",
    "PointInTimeRecoverySpecification",
    "PointInTimeRecoveryEnabled",
    "Replicas",
    "Region",
    "Tags",
    "Key",
    "Value",
    "BillingMode",
    "StreamSpecification",
    "PolicyDocument",
    "Statement",
    "TemplateURL",
    "Parameters",
    "TargetKeyId",
    "DeletionProtectionEnabled",
)
HOSTILE_TEXT = (
    "\x1b]8;;x\x07",
    "\u202e",
    "${Orders.Arn}",
    "${!x}",
    "../../etc/passwd",
    "/dev/zero",
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(NAMES + TYPES + PROPERTIES + HOSTILE_TEXT),
    st.text(max_size=12),
)


def _function(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    argument = st.one_of(children, st.lists(children, max_size=5))
    return st.builds(lambda name, arg: {name: arg}, st.sampled_from(FUNCTIONS), argument)


cfn_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(PROPERTIES), children, max_size=4),
        _function(children),
    ),
    max_leaves=25,
)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    """A template as data: sections of the right or the wrong kind, resources of mapped types."""
    resources = draw(
        st.one_of(
            st.dictionaries(
                st.sampled_from(NAMES[:5]),
                st.one_of(
                    st.fixed_dictionaries(
                        {"Type": st.sampled_from(TYPES), "Properties": cfn_values},
                        optional={"Condition": cfn_values, "Metadata": cfn_values},
                    ),
                    cfn_values,
                ),
                max_size=4,
            ),
            cfn_values,
        )
    )
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    for section in ("Parameters", "Conditions", "Mappings", "Transform"):
        if draw(st.booleans()):
            template[section] = draw(cfn_values)
    return template


def as_json(data: Any) -> str:
    return json.dumps(data, indent=1, default=str)


def as_yaml(data: Any, short_tags: bool) -> str:
    """YAML text, intrinsic functions written with short tags (``!Sub``) when asked."""
    return "\n".join(_yaml(data, 0, short_tags)) + "\n"


def _scalar(value: Any) -> str:
    """JSON's spelling (valid YAML), without surrogate-pair escapes YAML rejects."""
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)


def _yaml(value: Any, indent: int, short: bool) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and len(value) == 1 and short:
        ((key, arg),) = value.items()
        if isinstance(key, str) and key in FUNCTIONS and "::ForEach" not in key:
            tag = "!" + key.removeprefix("Fn::")
            return [f"{pad}{tag} {json.dumps(arg, default=str, ensure_ascii=False)}"]
    if isinstance(value, dict):
        if not value:
            return [f"{pad}{{}}"]
        out = []
        for key, item in value.items():
            inner = _yaml(item, indent + 2, short)
            if isinstance(item, dict | list) and item:
                out += [f"{pad}{_scalar(str(key))}:", *inner]
            else:
                out.append(f"{pad}{_scalar(str(key))}: {inner[0].strip()}")
        return out
    if isinstance(value, list):
        if not value:
            return [f"{pad}[]"]
        out = []
        for item in value:
            inner = _yaml(item, indent + 2, short)
            out += (
                [f"{pad}-", *inner]
                if isinstance(item, dict | list) and item
                else [f"{pad}- {inner[0].strip()}"]
            )
        return out
    return [f"{pad}{_scalar(value)}"]


PLAN_KEYS = (
    "format_version",
    "planned_values",
    "root_module",
    "resources",
    "child_modules",
    "address",
    "type",
    "mode",
    "values",
    "resource_changes",
    "change",
    "after_unknown",
    "configuration",
    "provider_config",
    "expressions",
    "references",
    "constant_value",
    "module_calls",
    "module",
    "provider_config_key",
    "kms_key_arn",
    "server_side_encryption",
    "name",
)
plan_values = st.recursive(
    st.one_of(scalars, st.sampled_from(("aws_dynamodb_table", "aws_kms_key.k", "managed", "data"))),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(PLAN_KEYS), children, max_size=5),
    ),
    max_leaves=30,
)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    plan: dict[str, Any] = {"format_version": "1.2", "planned_values": draw(plan_values)}
    for key in ("resource_changes", "configuration"):
        if draw(st.booleans()):
            plan[key] = draw(plan_values)
    return plan


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each (position, length to delete, bytes to insert) applied in turn."""
    out = bytearray(data)
    for position, delete, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + delete] = insert
    return bytes(out)


edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=100_000),
        st.integers(min_value=0, max_value=8),
        st.one_of(
            st.binary(max_size=6),
            st.sampled_from(
                [
                    b"{",
                    b"}",
                    b"[",
                    b"]",
                    b'"',
                    b":",
                    b"!Ref",
                    b"!If [",
                    b"&a",
                    b"*a",
                    b"\xff",
                    b"\x00",
                ]
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)

TF_ATTRIBUTE = st.sampled_from(
    (
        "count = -1",
        "count = 0",
        "count = 2",
        'count = "x"',
        "count = var.n",
        "for_each = 5",
        "for_each = {}",
        'for_each = toset(["a", "b"])',
        "for_each = var.n",
        "for_each = local.m",
        "name = each.key",
        'name = "t${count.index}"',
        "hash_key = 5",
        "deletion_protection_enabled = var.on",
        "billing_mode = null",
        'dynamic "replica" {\n    for_each = 5\n    content {\n      region_name = "x"\n    }\n  }',
        'dynamic "replica" {\n    for_each = var.regions\n    content {\n      region_name = replica.value\n    }\n  }',
        "server_side_encryption {\n    enabled = true\n    kms_key_arn = aws_kms_key.k.arn\n  }",
        "point_in_time_recovery {\n    enabled = [1]\n  }",
        "tags = { owner = var.owner }",
        "lifecycle {\n    prevent_destroy = true\n  }",
        "x = ${",
        '"\\u202e" = 1',
    )
)
TF_TOP = st.sampled_from(
    (
        'variable "n" {}',
        'variable "on" {\n  default = true\n}',
        "locals {\n  m = { a = 1 }\n}",
        'resource "aws_kms_key" "k" {}',
        'module "m" {\n  source = "./mod"\n}',
        'module "up" {\n  source = "../"\n}',
        'provider "aws" {\n  region = var.region\n}',
        'data "aws_kms_alias" "a" {\n  name = "alias/aws/dynamodb"\n}',
    )
)


@st.composite
def terraform_files(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(TF_TOP, max_size=3))
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        attrs = draw(st.lists(TF_ATTRIBUTE, max_size=5))
        body = "\n  ".join(['hash_key = "pk"', *attrs])
        blocks.append(f'resource "aws_dynamodb_table" "t{i}" {{\n  {body}\n}}')
    return "\n".join(blocks) + "\n"
