"""DDB.003: deletion protection on (UpdateTable DeletionProtectionEnabled=true).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
"""

from __future__ import annotations

from dynaguard.model import Table
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import Change
from dynaguard.remediation.fixes.common import table_ref, table_step
from dynaguard.remediation.registry import register


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    return Change(
        "DDB.003",
        table_ref(table),
        "off",
        "on",
        (
            table_step(
                "dynamodb:UpdateTable", table.name, table.region, DeletionProtectionEnabled=True
            ),
        ),
        (
            table_step(
                "dynamodb:UpdateTable", table.name, table.region, DeletionProtectionEnabled=False
            ),
        ),
        {"deletion_protection": False},
    )


register(
    Remediation(
        "DDB.003",
        "table",
        "enable deletion protection (UpdateTable DeletionProtectionEnabled)",
        ("dynamodb:UpdateTable", "dynamodb:DescribeTable"),
        ("ACTIVE",),
        plan,
    )
)
