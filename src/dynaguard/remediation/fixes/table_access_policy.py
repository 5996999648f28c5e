"""DDB.006 (opt-in): remove the resource-policy statements that open a table or its stream.

Each statement is judged on its own by the DDB.006 control itself (a table holding only that
statement); the failing ones are removed. The rest is written back with PutResourcePolicy and
``ExpectedRevisionId`` (so a concurrent edit is not overwritten), or, when nothing is left,
the policy is deleted the same way. Opt-in only: a wrong policy can lock callers out.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
"""

from __future__ import annotations

import dataclasses
import json

from dynaguard.controls.base import Status
from dynaguard.controls.registry import get_control
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


def offending(table: Table, doc: PolicyDocument, live: LiveState) -> list[int]:
    """Indexes of the statements that the DDB.006 control fails on their own."""
    control = get_control("DDB.006")
    bad = []
    for i, statement in enumerate(doc.statements):
        alone = dataclasses.replace(
            table,
            resource_policy=Known(PolicyDocument((statement,))),
            stream_policy=Known(None),
        )
        verdicts = control.evaluate(alone, live.context())
        if any(v.status is Status.FAIL for v in verdicts):
            bad.append(i)
    return bad


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
    for arn, fact in ((table.arn, table.resource_policy), (table.stream_arn, table.stream_policy)):
        if not isinstance(fact, Known):
            return Skip("DDB.006", table_ref(table), "resource policy unknown")
        if fact.value is None or arn is None:
            continue
        bad = offending(table, fact.value, live)
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
