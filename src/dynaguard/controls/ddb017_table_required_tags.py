"""DDB.017: table carries every tag key listed in ``required_tags`` (keys are case-sensitive)."""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, not_applicable, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import Table, Unknown


@control(
    id="DDB.017",
    title="Table carries the required tag keys",
    severity="low",
    subject=Table,
    facts={"table.tags"},
    rationale="Tags drive ownership, cost allocation, tag-based backup selection and "
    "attribute-based access control; an untagged table falls outside all of them.",
    remediation="aws dynamodb tag-resource --resource-arn TABLE_ARN --tags Key=KEY,Value=VALUE",
)
def table_has_required_tags(table: Table, ctx: Context) -> Verdict:
    required = ctx.baseline.required_tags
    if not required:
        return not_applicable("no required tags configured (baseline.required_tags is empty)")
    fact = table.tags
    if isinstance(fact, Unknown):
        return unknown(f"table tags unknown: {fact.reason}", fact.origin)
    missing = [k for k in required if k not in fact.value]
    if missing:
        return failed(f"missing required tag key(s): {', '.join(missing)}", fact.origin)
    return passed(f"all required tag keys present ({', '.join(required)})", fact.origin)
