"""DDB.006 (opt-in): remove the resource-policy statements that open a table or its stream.

The policy evaluator that DDB.006 uses names the Allow statements that admit an outsider once
every Deny of the policy has been applied; exactly those are removed (an Allow that a Deny
already neutralises stays, and so does every Deny). The rest is written back with
PutResourcePolicy and ``ExpectedRevisionId`` (so a concurrent edit is not overwritten), or,
when nothing is left, the policy is deleted the same way. Opt-in only: a wrong policy can lock
callers out.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
"""

from __future__ import annotations

import json

from dynaguard.controls.ddb006_table_access_restricted import policy_exposures
from dynaguard.model import Known, PolicyDocument, Table
from dynaguard.remediation.base import (
    ApiStep,
    Change,
    LiveState,
    Options,
    PlanResult,
    Remediation,
    Skip,
)
from dynaguard.remediation.fixes.common import table_ref
from dynaguard.remediation.registry import register


def offending(table: Table, live: LiveState) -> dict[str, tuple[int, ...]]:
    """Indexes of the Allow statements that admit an outsider, by policy ("resource policy",
    "stream policy"); a policy whose exposure is unknown is left out."""
    out = {}
    for where, fact in policy_exposures(table, live.context()):
        if isinstance(fact, Known) and fact.value is not None:
            out[where] = fact.value.offending_statements
    return out


def _steps(arn: str, doc: PolicyDocument, bad: list[int], region: str) -> tuple[ApiStep, ApiStep]:
    kept = [s for i, s in enumerate(doc.statements) if i not in bad]
    revision = {"ExpectedRevisionId": doc.revision_id} if doc.revision_id else {}
    if kept:
        body = json.dumps({"Version": "2012-10-17", "Statement": kept})
        step = ApiStep(
            "dynamodb:PutResourcePolicy",
            region,
            {"ResourceArn": arn, "Policy": body, **revision},
            "none",
        )
    else:
        step = ApiStep(
            "dynamodb:DeleteResourcePolicy", region, {"ResourceArn": arn, **revision}, "none"
        )
    undo = ApiStep(
        "dynamodb:PutResourcePolicy", region, {"ResourceArn": arn, "Policy": doc.raw or ""}, "none"
    )
    return step, undo


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    steps, undo, removed = [], [], []
    policies = (
        ("resource policy", table.arn, table.resource_policy),
        ("stream policy", table.stream_arn, table.stream_policy),
    )
    if any(not isinstance(fact, Known) for _, _, fact in policies):
        return Skip("DDB.006", table_ref(table), "resource policy unknown")
    found = offending(table, live)
    for where, arn, fact in policies:
        assert isinstance(fact, Known)
        if fact.value is None or arn is None:
            continue
        bad = list(found.get(where, ()))
        if bad:
            step, back = _steps(arn, fact.value, bad, table.region)
            steps.append(step)
            undo.append(back)
            removed += [str(fact.value.statements[i].get("Sid", f"#{i}")) for i in bad]
    if not steps:
        return Skip(
            "DDB.006", table_ref(table), "no single statement is at fault: narrow it by hand"
        )
    return Change(
        "DDB.006",
        table_ref(table),
        f"open statements: {', '.join(removed)}",
        "removed",
        tuple(steps),
        tuple(undo),
        {"removed_statements": removed},
    )


register(
    Remediation(
        "DDB.006",
        "table",
        "remove offending resource-policy statements (ExpectedRevisionId)",
        (
            "dynamodb:PutResourcePolicy",
            "dynamodb:DeleteResourcePolicy",
            "dynamodb:GetResourcePolicy",
        ),
        ("ACTIVE", "UPDATING"),
        plan,
        opt_in=True,
    )
)
