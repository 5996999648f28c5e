"""DDB.012: no automatic fix. Rewriting someone's identity policy can break a workload;
harden prints the exact steps to replace the wildcard with a scoped statement.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-versioning.html
"""

from __future__ import annotations

import json

from dynaguard.model import IamPolicy
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import Manual, ResourceRef
from dynaguard.remediation.registry import register

SCOPED = {
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    "Resource": [
        "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE",
        "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/index/*",
    ],
}


def plan(policy: IamPolicy, live: LiveState, options: Options) -> PlanResult:
    ref = ResourceRef("iam_policy", policy.name, "global", policy.account_id)
    who = ", ".join(policy.attached_to) or "no principal"
    steps: tuple[str, ...]
    if policy.kind == "managed":
        steps = (
            f"aws iam get-policy-version --policy-arn {policy.arn} --version-id "
            f"$(aws iam get-policy --policy-arn {policy.arn} "
            "--query Policy.DefaultVersionId --output text)",
            "replace the dynamodb:* / * statement with the actions and tables the principals use "
            "(IAM Access Analyzer policy generation from CloudTrail helps), e.g. "
            + json.dumps(SCOPED),
            f"aws iam create-policy-version --policy-arn {policy.arn} --policy-document "
            "file://scoped.json --set-as-default",
        )
    else:
        steps = (
            f"narrow the inline policy {policy.name} ({who}) to a statement like "
            + json.dumps(SCOPED),
            "aws iam put-role-policy --role-name ROLE --policy-name "
            f"{policy.name} --policy-document file://scoped.json",
        )
    return Manual(
        "DDB.012", ref, f"identity policy grants DynamoDB wildcard access to {who}", steps
    )


register(
    Remediation(
        "DDB.012",
        "iam_policy",
        "MANUAL: scope the wildcard statement",
        ("iam:GetAccountAuthorizationDetails",),
        ("n/a",),
        plan,
        manual_only=True,
    )
)
