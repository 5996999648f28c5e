"""DDB.006: access through the table's (and its stream's) resource policy is restricted.

No resource policy => PASS: only identity policies of the table's own account can grant access.
Otherwise the policy evaluator (``model.policy_access``) judges the table policy and the stream
policy (the stream carries the table's data) as IAM judges a caller from outside the account:
only Allow grants, a Deny that surely applies takes away, every principal kind counts, and a
condition narrows a grant only when it pins the caller's identity (``aws:PrincipalOrgID``,
``aws:PrincipalOrgPaths``, ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:userid``) or
its network path to the account's own or configured VPC endpoints / VPCs (``aws:SourceVpce``,
``aws:SourceVpc``); a service principal passes only with ``aws:SourceAccount`` /
``aws:SourceArn`` of a trusted account. The FAIL names the statement, the principal, the
actions and the missing restriction; what cannot be decided offline is UNKNOWN.
"""

from __future__ import annotations

from dynaguard.config import Baseline
from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Fact, Known, RegionScope, Table, Unknown
from dynaguard.model.outsiders import Trust
from dynaguard.model.policy_access import Exposure, exposure
from dynaguard.model.resources import IAC_STREAM_LABEL

MAX_SHOWN = 5


def table_arn(table: Table) -> str:
    """The table's ARN; for code that has none yet, the ARN AWS will give it."""
    if table.arn:
        return table.arn
    return f"arn:aws:dynamodb:{table.region}:{table.account_id}:table/{table.name}"


def stream_arn(table: Table) -> str:
    """The stream's ARN; for code, the stand-in every IaC source renders (no label yet)."""
    return table.stream_arn or f"{table_arn(table)}/stream/{IAC_STREAM_LABEL}"


def trust_for(table: Table, scope: RegionScope, baseline: Baseline) -> Trust:
    """Who is inside for ``table``: its account, the configured accounts and organisations,
    and the account's own (collected) or configured VPC endpoints and VPCs."""
    endpoints, vpcs = set(baseline.trusted_vpc_endpoints), set(baseline.trusted_vpcs)
    doubts = []
    if isinstance(scope.vpc_endpoints, Known):
        endpoints |= {e.endpoint_id for e in scope.vpc_endpoints.value}
        vpcs |= {e.vpc_id for e in scope.vpc_endpoints.value}
    else:
        doubts.append(f"VPC endpoints unknown: {scope.vpc_endpoints.reason}")
    if isinstance(scope.vpcs, Known):
        vpcs |= {v.vpc_id for v in scope.vpcs.value}
    else:
        doubts.append(f"VPCs unknown: {scope.vpcs.reason}")
    arn = table_arn(table).split(":")
    return Trust(
        account_id=table.account_id,
        accounts=frozenset(baseline.trusted_accounts),
        org_ids=frozenset(baseline.trusted_org_ids),
        vpc_endpoints=frozenset(endpoints),
        vpcs=frozenset(vpcs),
        partition=arn[1] if len(arn) > 1 and arn[1] else "aws",
        network_doubt="; ".join(doubts) or None,
    )


def policy_exposures(table: Table, ctx: Context) -> list[tuple[str, Fact[Exposure | None]]]:
    """The exposure through the table policy and through the stream policy (None: no policy).
    Also used by the DDB.006 fix to choose the statements it removes."""
    trust = trust_for(table, ctx.scope, ctx.baseline)
    out: list[tuple[str, Fact[Exposure | None]]] = []
    for where, arn, fact in (
        ("resource policy", table_arn(table), table.resource_policy),
        ("stream policy", stream_arn(table), table.stream_policy),
    ):
        if isinstance(fact, Unknown):
            out.append((where, fact))
        elif fact.value is None:
            out.append((where, Known(None, fact.origin)))
        else:
            out.append((where, Known(exposure(fact.value, arn, trust, where), fact.origin)))
    return out


def _shown(items: list[str]) -> str:
    more = len(items) - MAX_SHOWN
    return "; ".join(items[:MAX_SHOWN]) + (f"; and {more} more" if more > 0 else "")


@control(
    id="DDB.006",
    title="Table access restricted to trusted accounts and principals",
    severity="high",
    subject=Table,
    facts={"table.resource_policy", "policy.network"},
    rationale="A resource policy can grant access to principals outside the account; a "
    "wildcard principal without an account or organisation condition opens the table (or its "
    "stream) to anyone with AWS credentials.",
    remediation="Remove the offending statements, or add a condition such as "
    '"StringEquals": {"aws:PrincipalOrgID": "o-XXXX"}: aws dynamodb put-resource-policy '
    "--resource-arn TABLE_ARN --policy file://policy.json --expected-revision-id REVISION "
    "(dynaguard harden only with explicit opt-in: a wrong policy can lock people out)",
    frameworks={"IAM Access Analyzer": "external access findings for DynamoDB"},
)
def table_access_restricted(table: Table, ctx: Context) -> Verdict:
    grants: list[str] = []
    doubts: list[str] = []
    allows = 0
    for where, fact in policy_exposures(table, ctx):
        if isinstance(fact, Unknown):
            doubts.append(f"{where} unknown: {fact.reason}")
        elif fact.value is not None:
            grants += [g.reason() for g in fact.value.grants]
            doubts += list(fact.value.undecided)
            allows += fact.value.allow_statements
    evidence = table.resource_policy.origin
    if grants:
        # A grant found in a policy we could read is a FAIL whatever the unread one holds.
        return failed(_shown(grants + doubts), evidence)
    if doubts:
        return unknown(_shown(doubts), evidence)
    if allows == 0:
        return passed("no resource policy grants access: only this account's identity policies can")
    return passed(
        f"{allows} Allow statement(s) in the resource policies admit only this account, trusted "
        "accounts or organisations, or callers pinned to them by condition or by a Deny",
        evidence,
    )
