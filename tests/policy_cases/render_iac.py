"""The case table as one Terraform root module and one CloudFormation template."""

from __future__ import annotations

import json
from typing import Any

from dynaguard.sources.iac.declared import IAC_ACCOUNT
from tests.policy_cases.cases import CASES, Case, substitute

TF_HEAD = """
provider "aws" {
  region = "us-east-1"
}
data "aws_caller_identity" "current" {}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc_endpoint" "ddb" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.us-east-1.dynamodb"
}
"""
TF_TABLE = """
resource "aws_dynamodb_table" "case_{id}" {{
  name         = "case-{id}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  {stream}
  attribute {{
    name = "pk"
    type = "S"
  }}
}}
"""


def _tf_refs(case: Case) -> dict[str, str]:
    table = f"aws_dynamodb_table.case_{case.id}"
    return {
        "${TABLE}": f"{table}.arn",
        # tfparse resolves neither a table's stream_arn nor a data source inside a policy
        # document (they read UNKNOWN): written out, as much code does.
        "${STREAM}": json.dumps(
            f"arn:aws:dynamodb:us-east-1:{IAC_ACCOUNT}:table/case-{case.id}/stream/*"
        ),
        "${OWN}": json.dumps(IAC_ACCOUNT),
        "${OWN_VPCE}": "aws_vpc_endpoint.ddb.id",
        "${OWN_VPC}": "aws_vpc.main.id",
    }


def _tf_value(value: str, refs: dict[str, str]) -> str:
    """A whole placeholder becomes a reference. Inside a longer string the account is written
    out: tfparse leaves a string template over an unknown value unresolved (UNKNOWN)."""
    if value in refs:
        return refs[value]
    return json.dumps(value.replace("${OWN}", IAC_ACCOUNT))


def _tf_list(values: Any, refs: dict[str, str]) -> str:
    items = values if isinstance(values, list) else [values]
    return "[" + ", ".join(_tf_value(v, refs) for v in items) + "]"


def _tf_statement(stmt: dict[str, Any], refs: dict[str, str]) -> str:
    lines = [f'    effect = "{stmt["Effect"]}"']
    for key, attr in (
        ("Action", "actions"),
        ("NotAction", "not_actions"),
        ("Resource", "resources"),
        ("NotResource", "not_resources"),
    ):
        if key in stmt:
            lines.append(f"    {attr} = {_tf_list(stmt[key], refs)}")
    for key, block in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
        principal = stmt.get(key)
        if principal is None:
            continue
        kinds = {"*": "*"} if principal == "*" else principal
        for kind, ids in kinds.items():
            lines.append(
                f'    {block} {{\n      type = "{kind}"\n'
                f"      identifiers = {_tf_list(ids, refs)}\n    }}"
            )
    for operator, entries in (stmt.get("Condition") or {}).items():
        for variable, values in entries.items():
            lines.append(
                f'    condition {{\n      test = "{operator}"\n      variable = "{variable}"\n'
                f"      values = {_tf_list(values, refs)}\n    }}"
            )
    return "  statement {\n" + "\n".join(lines) + "\n  }"


def _tf_document(case: Case) -> str:
    """The case's policy as ``data.aws_iam_policy_document`` (the usual way to write one)."""
    refs = _tf_refs(case)
    body = "\n".join(_tf_statement(s, refs) for s in case.statements or [])
    return f'data "aws_iam_policy_document" "case_{case.id}" {{\n{body}\n}}\n'


def _tf_policy(case: Case) -> str:
    return f"data.aws_iam_policy_document.case_{case.id}.json"


def terraform(case: Case) -> str:
    """The blocks of one case; the finding's resource id is ``tf_resource_id(case)``."""
    out = []
    stream = 'stream_enabled = true\n  stream_view_type = "NEW_AND_OLD_IMAGES"'
    if case.kind in ("resource", "stream"):
        out.append(TF_TABLE.format(id=case.id, stream=stream if case.kind == "stream" else ""))
        if case.statements is not None:
            out.append(_tf_document(case))
            attr = "stream_arn" if case.kind == "stream" else "arn"
            out.append(
                f'resource "aws_dynamodb_resource_policy" "case_{case.id}" {{\n'
                f"  resource_arn = aws_dynamodb_table.case_{case.id}.{attr}\n"
                f"  policy = {_tf_policy(case)}\n}}\n"
            )
        return "\n".join(out)
    out.append(
        f'resource "aws_iam_role" "case_{case.id}" {{\n  name = "case-{case.id}"\n'
        '  assume_role_policy = "{}"\n}\n'
    )
    out.append(TF_TABLE.format(id=case.id, stream=""))  # for ${TABLE}
    if case.statements is not None:
        out.append(_tf_document(case))
    role = f"aws_iam_role.case_{case.id}.name"
    if case.kind == "inline":
        out.append(
            f'resource "aws_iam_role_policy" "case_{case.id}" {{\n  name = "case-{case.id}"\n'
            f"  role = {role}\n  policy = {_tf_policy(case)}\n}}\n"
        )
    elif case.kind in ("managed", "unattached"):
        out.append(
            f'resource "aws_iam_policy" "case_{case.id}" {{\n  name = "case-{case.id}"\n'
            f"  policy = {_tf_policy(case)}\n}}\n"
        )
        if case.kind == "managed":
            out.append(
                f'resource "aws_iam_role_policy_attachment" "case_{case.id}" {{\n'
                f"  role = {role}\n  policy_arn = aws_iam_policy.case_{case.id}.arn\n}}\n"
            )
    else:
        out.append(
            f'resource "aws_iam_role_policy_attachment" "case_{case.id}" {{\n  role = {role}\n'
            f'  policy_arn = "arn:aws:iam::aws:policy/{case.aws_managed}"\n}}\n'
        )
    return "\n".join(out)


def terraform_module() -> str:
    return TF_HEAD + "\n".join(terraform(c) for c in CASES)


def tf_resource_id(case: Case) -> str:
    if case.kind in ("resource", "stream"):
        return f"aws_dynamodb_table.case_{case.id}"
    if case.kind == "inline":
        return f"aws_iam_role_policy.case_{case.id}"
    if case.kind in ("managed", "unattached"):
        return f"aws_iam_policy.case_{case.id}"
    return case.aws_managed


# --- CloudFormation -------------------------------------------------------------------------


def logical(case: Case) -> str:
    return f"Case{case.id.upper()}"


def _cfn_text(case: Case, text: str) -> Any:
    if "${" not in text:
        return text
    table = logical(case) if case.kind in ("resource", "stream") else f"{logical(case)}Table"
    sub = (
        text.replace("${TABLE}", f"${{{table}.Arn}}")
        .replace("${STREAM}", f"${{{table}.StreamArn}}")
        .replace("${OWN}", "${AWS::AccountId}")
        .replace("${OWN_VPCE}", "${DdbEndpoint}")
        .replace("${OWN_VPC}", "${Vpc}")
    )
    return {"Fn::Sub": sub}


def _document(case: Case) -> dict[str, Any]:
    statements = substitute(case.statements, lambda t: _cfn_text(case, t))
    return {"Version": "2012-10-17", "Statement": statements}


def _table(name: str, stream: bool, policy: dict[str, Any] | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }
    if stream:
        props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        if policy is not None:
            props["StreamSpecification"]["ResourcePolicy"] = {"PolicyDocument": policy}
    elif policy is not None:
        props["ResourcePolicy"] = {"PolicyDocument": policy}
    return {"Type": "AWS::DynamoDB::Table", "Properties": props}


def cloudformation(case: Case) -> dict[str, Any]:
    name = logical(case)
    policy = _document(case) if case.statements is not None else None
    if case.kind in ("resource", "stream"):
        return {name: _table(f"case-{case.id}", case.kind == "stream", policy)}
    role: dict[str, Any] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"RoleName": f"case-{case.id}", "AssumeRolePolicyDocument": {}},
    }
    out = {f"{name}Role": role, f"{name}Table": _table(f"case-{case.id}", False, None)}
    if case.kind == "inline":
        role["Properties"]["Policies"] = [
            {"PolicyName": f"case-{case.id}", "PolicyDocument": policy}
        ]
    elif case.kind in ("managed", "unattached"):
        props: dict[str, Any] = {"PolicyDocument": policy}
        if case.kind == "managed":
            props["Roles"] = [{"Ref": f"{name}Role"}]
        out[name] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": props}
    else:
        role["Properties"]["ManagedPolicyArns"] = [
            {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{case.aws_managed}"}
        ]
    return out


def cloudformation_template() -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "DdbEndpoint": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"},
            },
        },
    }
    for case in CASES:
        resources.update(cloudformation(case))
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def cfn_resource_id(case: Case) -> str:
    if case.kind in ("resource", "stream"):
        return logical(case)
    if case.kind == "inline":
        return f"{logical(case)}Role.Policies[0]"
    if case.kind in ("managed", "unattached"):
        return logical(case)
    return case.aws_managed
