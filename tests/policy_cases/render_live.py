"""The case table seeded into the emulator (moto, patched) as a real account would hold it."""

from __future__ import annotations

import json
from typing import Any

from tests.policy_cases.cases import CASES, Case, substitute

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_SCHEMA = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})


def seed(client: Any) -> None:
    """Create every case's table or principal in the account ``client(service)`` reaches."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.dynamodb", VpcEndpointType="Gateway"
    )["VpcEndpoint"]["VpcEndpointId"]
    names = {"${OWN}": ACCOUNT, "${OWN_VPCE}": endpoint, "${OWN_VPC}": vpc}
    ddb, iam = client("dynamodb"), client("iam")
    for case in CASES:
        _seed_case(case, ddb, iam, names)


def _render(case: Case, names: dict[str, str]) -> str:
    def replace(text: str) -> str:
        for placeholder, value in names.items():
            text = text.replace(placeholder, value)
        return text

    statements = substitute(case.statements, replace)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _seed_case(case: Case, ddb: Any, iam: Any, names: dict[str, str]) -> None:
    name = f"case-{case.id}"
    stream = {
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    }
    table = ddb.create_table(
        TableName=name, **KEY_SCHEMA, **(stream if case.kind == "stream" else {})
    )
    arn = table["TableDescription"]["TableArn"]
    own = {
        **names,
        "${TABLE}": arn,
        "${STREAM}": table["TableDescription"].get("LatestStreamArn", ""),
    }
    if case.kind in ("resource", "stream"):
        if case.statements is not None:
            target = own["${STREAM}"] if case.kind == "stream" else arn
            ddb.put_resource_policy(ResourceArn=target, Policy=_render(case, own))
        return
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    if case.kind == "inline":
        iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=_render(case, own))
    elif case.kind in ("managed", "unattached"):
        policy = iam.create_policy(PolicyName=name, PolicyDocument=_render(case, own))["Policy"]
        if case.kind == "managed":
            iam.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    else:
        iam.attach_role_policy(
            RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{case.aws_managed}"
        )


def live_resource_id(case: Case) -> str:
    name = f"case-{case.id}"
    if case.kind in ("resource", "stream", "managed", "unattached"):
        return name
    if case.kind == "inline":
        return f"role/{name}/{name}"
    return case.aws_managed
