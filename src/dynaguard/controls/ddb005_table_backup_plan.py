"""DDB.005: table covered by an AWS Backup plan.

The region's selections are read once; each table is matched locally by
``model.backup_match`` with AWS Backup's own rules: ARN patterns with wildcards, tag-based
selection (``ListOfTags`` and ``Conditions``) and ``NotResources`` exclusions. A tag-based
selection is never ignored: when the table's tags could not be read and a selection depends on
them, the verdict is UNKNOWN, not FAIL.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import BackupSelection, Known, Table, Unknown
from dynaguard.model.backup_match import covering_selections


def table_arn(table: Table) -> str:
    """The table's ARN; for code that has none yet, the ARN AWS will give it."""
    if table.arn:
        return table.arn
    return f"arn:aws:dynamodb:{table.region}:{table.account_id}:table/{table.name}"


def _names(selections: list[BackupSelection]) -> str:
    return ", ".join(f"{s.plan_name}/{s.selection_name}" for s in selections)


@control(
    id="DDB.005",
    title="Table covered by an AWS Backup plan",
    severity="medium",
    subject="table",
    facts={"region.backup", "table.tags"},
    rationale="AWS Backup keeps scheduled, retained and optionally cross-region or vaulted "
    "copies, independent of the table's own settings; PITR alone is lost with the table's "
    "35-day window.",
    remediation="aws backup create-backup-selection --backup-plan-id PLAN_ID --backup-selection "
    '\'{"SelectionName":"dynamodb","IamRoleArn":"arn:aws:iam::ACCOUNT:role/'
    'service-role/AWSBackupDefaultServiceRole","Resources":["TABLE_ARN"]}\' '
    "(or tag the table with the plan's selection tag; or: dynaguard harden)",
    frameworks={
        "AWS FSBP": "DynamoDB.4",
        "AWS Config": "dynamodb-resources-protected-by-backup-plan",
    },
)
def table_in_backup_plan(table: Table, ctx: Context) -> Verdict:
    selections = ctx.scope.backup_selections
    if isinstance(selections, Unknown):
        return unknown(f"AWS Backup selections unknown: {selections.reason}", selections.origin)
    tags = table.tags.value if isinstance(table.tags, Known) else None
    try:
        covering, undecided = covering_selections(selections.value, table_arn(table), tags)
    except ValueError as exc:
        return unknown(f"cannot evaluate AWS Backup selections: {exc}", selections.origin)
    if covering:
        return passed(f"covered by AWS Backup selection {_names(covering)}", covering[0].origin)
    if undecided:
        why = table.tags.reason if isinstance(table.tags, Unknown) else "unknown"
        return unknown(
            f"table tags unknown ({why}); tag-based selection {_names(undecided)} may cover it",
            selections.origin,
        )
    if not selections.value:
        return failed("no AWS Backup plan in this region selects any resource", selections.origin)
    return failed(
        f"none of the {len(selections.value)} AWS Backup selections in this region covers "
        "the table",
        selections.origin,
    )
