"""One table of policy cases, rendered to every source (live emulator, Terraform,
CloudFormation) by the sibling modules, each with the verdict and reason it must get and the
AWS documentation rule it follows.

Placeholders, replaced by each renderer with its own way of saying it: ``${TABLE}`` (the
table's ARN), ``${STREAM}`` (its stream's), ``${OWN}`` (the account id), ``${OWN_VPCE}`` /
``${OWN_VPC}`` (a DynamoDB VPC endpoint and VPC of the account). Trusted by the config:
``TRUSTED`` account, ``ORG`` organisation, ``VPCE`` endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TRUSTED = "444455556666"
STRANGER = "999988887777"
ORG = "o-trusted111"
VPCE = "vpce-0trusted000000000"

EVAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
CROSS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_evaluation-logic-cross-account.html"
)
PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
NOTPRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
OPERATORS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_elements_condition_operators.html"
)
MULTI = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_condition-single-vs-multi-valued-context-keys.html"
)
KEYS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
DEPUTY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
DDB_RBAC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html"
STREAMS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-examples.html"
NOTACTION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
)
MANAGED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"


@dataclass(frozen=True)
class Case:
    """``kind``: resource | stream (DDB.006) or inline | managed | unattached | aws_managed
    (DDB.012). ``statements`` None: no policy at all."""

    id: str
    kind: str
    statements: list[dict[str, Any]] | None
    status: str
    reason: tuple[str, ...]
    rule: str
    doc: str
    aws_managed: str = ""
    severity: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def control(self) -> str:
        return "DDB.006" if self.kind in ("resource", "stream") else "DDB.012"


def allow(principal: Any = "*", condition: dict[str, Any] | None = None, **kw: Any) -> dict:
    s: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
        "Resource": "${TABLE}",
    }
    if condition:
        s["Condition"] = condition
    s.update(kw)
    return {k: v for k, v in s.items() if v is not None}


def deny(principal: Any = "*", condition: dict[str, Any] | None = None, **kw: Any) -> dict:
    return allow(principal, condition, **{"Effect": "Deny", "Action": "dynamodb:*", **kw})


def ident(
    action: Any = "dynamodb:*", resource: Any = "*", effect: str = "Allow", **kw: Any
) -> dict:
    s = {"Effect": effect, "Action": action, "Resource": resource, **kw}
    return {k: v for k, v in s.items() if v is not None}


ANY = ("any principal (*)",)
OPEN = ("any principal (*)", "no condition pins the caller")
ROOT = "arn:aws:iam::${OWN}:root"

CASES = [
    # --- principals -------------------------------------------------------------------------
    Case(
        "p01",
        "resource",
        None,
        "PASS",
        ("no resource policy",),
        "no resource policy: only the account's identity policies grant",
        CROSS,
    ),
    Case("p02", "resource", [allow("*")], "FAIL", OPEN, "Principal * is everyone", PRINCIPAL),
    Case(
        "p03",
        "resource",
        [allow({"AWS": "*"})],
        "FAIL",
        ANY,
        "Principal {AWS: *} is everyone",
        PRINCIPAL,
    ),
    Case(
        "p04",
        "resource",
        [allow({"AWS": "${OWN}"})],
        "PASS",
        ("admit only",),
        "an account id means that account's principals",
        PRINCIPAL,
    ),
    Case(
        "p05",
        "resource",
        [allow({"AWS": ROOT})],
        "PASS",
        ("admit only",),
        ":root is the account principal",
        PRINCIPAL,
    ),
    Case(
        "p06",
        "resource",
        [allow({"AWS": "arn:aws:iam::${OWN}:role/app"})],
        "PASS",
        ("admit only",),
        "a role ARN of the account",
        PRINCIPAL,
    ),
    Case(
        "p07",
        "resource",
        [allow({"AWS": f"arn:aws:iam::{TRUSTED}:root"})],
        "PASS",
        ("admit only",),
        "a trusted account",
        CROSS,
    ),
    Case(
        "p08",
        "resource",
        [allow({"AWS": STRANGER})],
        "FAIL",
        (f"account {STRANGER}",),
        "another account gets access",
        CROSS,
    ),
    Case(
        "p09",
        "resource",
        [allow({"AWS": f"arn:aws:iam::{STRANGER}:role/reader"})],
        "FAIL",
        (f"arn:aws:iam::{STRANGER}:role/reader",),
        "a role of another account",
        PRINCIPAL,
    ),
    Case(
        "p10",
        "resource",
        [allow({"AWS": f"arn:aws:sts::{STRANGER}:assumed-role/r/s"})],
        "FAIL",
        (f"{STRANGER}:assumed-role",),
        "an assumed-role session of another account",
        PRINCIPAL,
    ),
    Case(
        "p11",
        "resource",
        [allow({"AWS": [ROOT, f"arn:aws:iam::{STRANGER}:root"]})],
        "FAIL",
        (f"{STRANGER}:root",),
        "a list of principals: each is granted",
        PRINCIPAL,
    ),
    Case(
        "p12",
        "resource",
        [allow({"Service": "events.amazonaws.com"})],
        "FAIL",
        ("service principal events.amazonaws.com", "confused deputy"),
        "service principals need aws:SourceAccount/SourceArn",
        DEPUTY,
    ),
    Case(
        "p13",
        "resource",
        [
            allow(
                {"Service": "events.amazonaws.com"},
                {"StringEquals": {"aws:SourceAccount": "${OWN}"}},
            )
        ],
        "PASS",
        ("admit only",),
        "a service pinned to the account",
        DEPUTY,
    ),
    Case(
        "p14",
        "resource",
        [
            allow(
                {"Service": "events.amazonaws.com"},
                {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:${OWN}:rule/*"}},
            )
        ],
        "PASS",
        ("admit only",),
        "a service pinned by SourceArn",
        DEPUTY,
    ),
    Case(
        "p15",
        "resource",
        [
            allow(
                {"Service": "events.amazonaws.com"},
                {"StringEquals": {"aws:SourceAccount": STRANGER}},
            )
        ],
        "FAIL",
        (STRANGER, "neither this account nor in trusted_accounts"),
        "a service acting for another account",
        DEPUTY,
    ),
    Case(
        "p16",
        "resource",
        [allow({"Federated": "cognito-identity.amazonaws.com"})],
        "FAIL",
        ("identity provider cognito-identity.amazonaws.com",),
        "a public identity provider admits anyone who signs in",
        PRINCIPAL,
    ),
    Case(
        "p17",
        "resource",
        [
            allow(
                {
                    "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
                }
            )
        ],
        "UNKNOWN",
        ("account cannot be told",),
        "a canonical user id names no account offline",
        PRINCIPAL,
    ),
    Case(
        "p18",
        "resource",
        [allow({"AWS": "AIDAJQABLZS4A3QDU576Q"})],
        "UNKNOWN",
        ("account cannot be told",),
        "a unique principal id names no account offline",
        PRINCIPAL,
    ),
    Case(
        "p19",
        "resource",
        [allow(None, NotPrincipal={"AWS": f"arn:aws:iam::{STRANGER}:root"})],
        "FAIL",
        ("everyone outside the NotPrincipal list",),
        "Allow with NotPrincipal grants everyone else",
        NOTPRINCIPAL,
    ),
    Case(
        "p20",
        "resource",
        [allow("*"), deny(None, NotPrincipal={"AWS": [ROOT, "arn:aws:iam::${OWN}:role/app"]})],
        "PASS",
        ("admit only",),
        "Deny with NotPrincipal denies everyone else",
        NOTPRINCIPAL,
    ),
    # --- identity-pinning conditions --------------------------------------------------------
    Case(
        "c01",
        "resource",
        [allow("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})],
        "PASS",
        ("admit only",),
        "aws:PrincipalOrgID pins the caller's organisation",
        KEYS,
    ),
    Case(
        "c02",
        "resource",
        [allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-stranger22"}})],
        "FAIL",
        ("o-stranger22", "not in trusted_org_ids"),
        "an untrusted organisation",
        KEYS,
    ),
    Case(
        "c03",
        "resource",
        [allow("*", {"StringEquals": {"aws:PrincipalOrgID": [ORG, "o-stranger22"]}})],
        "FAIL",
        ("o-stranger22",),
        "several values of a key are OR-ed: each must be trusted",
        OPERATORS,
    ),
    Case(
        "c04",
        "resource",
        [allow("*", {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}})],
        "FAIL",
        ("outside any organisation (key absent)",),
        "...IfExists holds when the key is absent",
        OPERATORS,
    ),
    Case(
        "c05",
        "resource",
        [allow("*", {"StringNotEquals": {"aws:PrincipalOrgID": "o-stranger22"}})],
        "FAIL",
        ("StringNotEquals aws:PrincipalOrgID",),
        "a negated operator in an Allow admits every other value",
        OPERATORS,
    ),
    Case(
        "c06",
        "resource",
        [
            allow(
                "*",
                {
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-11111111/*"
                    }
                },
            )
        ],
        "PASS",
        ("admit only",),
        "ForAnyValue on an absent key is false; org paths pin the OU",
        MULTI,
    ),
    Case(
        "c07",
        "resource",
        [allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-stranger22/*"}})],
        "FAIL",
        ("o-stranger22",),
        "an org path of an untrusted organisation",
        MULTI,
    ),
    Case(
        "c08",
        "resource",
        [allow("*", {"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/*"}})],
        "FAIL",
        ("key absent",),
        "ForAllValues is true on an absent key",
        MULTI,
    ),
    Case(
        "c09",
        "resource",
        [allow("*", {"StringEquals": {"aws:PrincipalAccount": ["${OWN}", TRUSTED]}})],
        "PASS",
        ("admit only",),
        "aws:PrincipalAccount pins the account",
        KEYS,
    ),
    Case(
        "c10",
        "resource",
        [allow("*", {"StringLike": {"aws:PrincipalAccount": "*"}})],
        "FAIL",
        ("StringLike aws:PrincipalAccount",),
        "a wildcard value pins nothing",
        OPERATORS,
    ),
    Case(
        "c11",
        "resource",
        [allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${OWN}:role/*"}})],
        "PASS",
        ("admit only",),
        "aws:PrincipalArn pinned to the account's roles",
        KEYS,
    ),
    Case(
        "c12",
        "resource",
        [allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}})],
        "FAIL",
        ("ArnLike aws:PrincipalArn",),
        "any account can name a role 'reader'",
        KEYS,
    ),
    Case(
        "c13",
        "resource",
        [allow("*", {"StringEquals": {"aws:userid": "${OWN}"}})],
        "PASS",
        ("admit only",),
        "aws:userid of the root user is its account id",
        KEYS,
    ),
    Case(
        "c14",
        "resource",
        [allow("*", {"StringLike": {"aws:userid": "AROAEXAMPLEROLEID1:*"}})],
        "UNKNOWN",
        ("unique id",),
        "aws:userid by unique id: the account cannot be told offline",
        KEYS,
    ),
    Case(
        "c15",
        "resource",
        [allow("*", {"Bool": {"aws:SecureTransport": "true"}})],
        "FAIL",
        OPEN,
        "aws:SecureTransport does not name the caller",
        KEYS,
    ),
    Case(
        "c16",
        "resource",
        [allow("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})],
        "FAIL",
        OPEN,
        "aws:SourceIp does not name the caller",
        KEYS,
    ),
    Case(
        "c17",
        "resource",
        [allow("*", {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})],
        "FAIL",
        OPEN,
        "aws:CurrentTime does not name the caller",
        KEYS,
    ),
    Case(
        "c18",
        "resource",
        [allow("*", {"StringEquals": {"aws:SourceVpce": "${OWN_VPCE}"}})],
        "PASS",
        ("admit only",),
        "aws:SourceVpce of the account's own endpoint",
        KEYS,
    ),
    Case(
        "c19",
        "resource",
        [allow("*", {"StringEquals": {"aws:SourceVpce": VPCE}})],
        "PASS",
        ("admit only",),
        "aws:SourceVpce of a configured endpoint",
        KEYS,
    ),
    Case(
        "c20",
        "resource",
        [allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-0stranger00000000"}})],
        "FAIL",
        ("vpce-0stranger00000000", "trusted_vpc_endpoints"),
        "an endpoint that is not the account's",
        KEYS,
    ),
    Case(
        "c21",
        "resource",
        [allow("*", {"StringEquals": {"aws:SourceVpc": "${OWN_VPC}"}})],
        "PASS",
        ("admit only",),
        "aws:SourceVpc of the account's own VPC",
        KEYS,
    ),
    Case(
        "c22",
        "resource",
        [allow("*", {"StringLike": {"aws:SourceVpce": "vpce-*"}})],
        "FAIL",
        ("StringLike aws:SourceVpce",),
        "any endpoint id is not a pin",
        OPERATORS,
    ),
    Case(
        "c23",
        "resource",
        [
            allow(
                "*",
                {
                    "StringEquals": {"aws:PrincipalOrgID": ORG},
                    "Bool": {"aws:SecureTransport": "true"},
                },
            )
        ],
        "PASS",
        ("admit only",),
        "operators and keys are AND-ed: one trusted pin suffices",
        OPERATORS,
    ),
    Case(
        "c24",
        "resource",
        [allow("*", {"Null": {"aws:PrincipalOrgID": "false"}})],
        "FAIL",
        ("Null aws:PrincipalOrgID",),
        "Null false: any organisation",
        OPERATORS,
    ),
    Case(
        "c25",
        "resource",
        [allow("*", {"StringEqualz": {"aws:PrincipalOrgID": ORG}})],
        "UNKNOWN",
        ("not an IAM condition operator",),
        "an operator IAM does not have",
        OPERATORS,
    ),
    # --- Deny takes away --------------------------------------------------------------------
    Case(
        "d01",
        "resource",
        [allow("*"), deny("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}})],
        "PASS",
        ("admit only",),
        "an explicit Deny overrides the Allow for everyone outside the org",
        EVAL,
    ),
    Case(
        "d02",
        "resource",
        [
            allow("*"),
            deny("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, Action="dynamodb:PutItem"),
        ],
        "FAIL",
        ("dynamodb:GetItem, dynamodb:Query",),
        "a Deny takes away only its actions",
        EVAL,
    ),
    Case(
        "d03",
        "resource",
        [allow("*"), deny("*", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}})],
        "PASS",
        ("admit only",),
        "negated ...IfExists in a Deny applies when the key is absent",
        OPERATORS,
    ),
    Case(
        "d04",
        "resource",
        [allow("*"), deny("*", {"Bool": {"aws:SecureTransport": "false"}})],
        "FAIL",
        OPEN,
        "a Deny on a key the caller controls can be avoided",
        EVAL,
    ),
    Case(
        "d05",
        "resource",
        [allow("*"), deny("*", {"StringNotEquals": {"aws:PrincipalAccount": ["${OWN}", TRUSTED]}})],
        "PASS",
        ("admit only",),
        "Deny everyone outside the accounts",
        EVAL,
    ),
    Case(
        "d06",
        "resource",
        [allow("*"), deny({"AWS": STRANGER})],
        "FAIL",
        ANY,
        "denying one account leaves every other",
        EVAL,
    ),
    Case(
        "d07",
        "resource",
        [allow({"AWS": STRANGER}), deny("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}})],
        "PASS",
        ("admit only",),
        "a Deny outside the org neutralises a grant to an account",
        EVAL,
    ),
    # --- streams ----------------------------------------------------------------------------
    Case(
        "s01",
        "stream",
        [
            allow(
                "*",
                Resource="${STREAM}",
                Action=["dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            )
        ],
        "FAIL",
        ("stream policy", "dynamodb:GetRecords"),
        "a stream policy opens the table's data",
        STREAMS,
    ),
    Case(
        "s02",
        "stream",
        [
            allow(
                {"AWS": "arn:aws:iam::${OWN}:role/app"},
                Resource="${STREAM}",
                Action="dynamodb:GetRecords",
            )
        ],
        "PASS",
        ("admit only",),
        "a stream policy for the account's role",
        STREAMS,
    ),
    # --- identity policies (DDB.012) --------------------------------------------------------
    Case(
        "i01",
        "inline",
        [ident()],
        "FAIL",
        ("inline policy", "dynamodb:* (all"),
        "dynamodb:* on every table",
        KEYS,
    ),
    Case(
        "i02",
        "inline",
        [ident(["dynamodb:GetItem", "dynamodb:Query"], "${TABLE}")],
        "PASS",
        ("grants no DynamoDB wildcard",),
        "scoped actions on one table",
        KEYS,
    ),
    Case(
        "i03",
        "managed",
        [ident("*")],
        "FAIL",
        ("customer managed policy", "Action [*]"),
        "Action * covers DynamoDB",
        KEYS,
    ),
    Case(
        "i04",
        "managed",
        [ident(None, NotAction=["iam:*", "organizations:*"])],
        "FAIL",
        ("NotAction [iam:*, organizations:*]",),
        "NotAction leaves DynamoDB in",
        NOTACTION,
    ),
    Case(
        "i05",
        "managed",
        [ident(resource="arn:aws:dynamodb:*:*:table/*")],
        "FAIL",
        ("table/*",),
        "a table ARN wildcard is every table",
        KEYS,
    ),
    Case(
        "i06",
        "managed",
        [ident(resource="${TABLE}")],
        "PASS",
        ("grants no DynamoDB wildcard",),
        "dynamodb:* on one table is scoped",
        KEYS,
    ),
    Case(
        "i07",
        "managed",
        [ident(), ident(effect="Deny")],
        "PASS",
        ("grants no DynamoDB wildcard",),
        "an unconditional Deny takes the grant away",
        EVAL,
    ),
    Case(
        "i08",
        "unattached",
        [ident()],
        "FAIL",
        ("attached to no principal",),
        "an unattached policy is one attachment from live",
        MANAGED,
        severity="low",
    ),
    Case(
        "i09",
        "aws_managed",
        None,
        "FAIL",
        ("AWS managed policy AdministratorAccess", "Action [*]"),
        "AWS managed AdministratorAccess is Action * on *",
        MANAGED,
        aws_managed="AdministratorAccess",
    ),
    Case(
        "i10",
        "aws_managed",
        None,
        "FAIL",
        ("AmazonDynamoDBFullAccess", "dynamodb:*"),
        "AWS managed AmazonDynamoDBFullAccess",
        MANAGED,
        aws_managed="AmazonDynamoDBFullAccess",
    ),
    Case(
        "i11",
        "aws_managed",
        None,
        "FAIL",
        ("PowerUserAccess", "NotAction"),
        "AWS managed PowerUserAccess is NotAction on *",
        MANAGED,
        aws_managed="PowerUserAccess",
    ),
    Case(
        "i12",
        "aws_managed",
        None,
        "PASS",
        ("grants no DynamoDB wildcard",),
        "AWS managed read-only access is scoped",
        MANAGED,
        aws_managed="AmazonDynamoDBReadOnlyAccess",
    ),
]


def substitute(value: Any, replace: Any) -> Any:
    """Apply ``replace(text)`` to every string of a statement (recursively)."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [substitute(v, replace) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, replace) for k, v in value.items()}
    return value
