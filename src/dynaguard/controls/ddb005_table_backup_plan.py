"""DDB.005: table covered by an AWS Backup plan.

The region's selections are read once; each table is matched locally by
``model.backup_match`` with AWS Backup's own rules: ARN patterns with wildcards, tag-based
selection (``ListOfTags`` and ``Conditions``) and ``NotResources`` exclusions. A tag-based
selection is never ignored: when the table's tags could not be read and a selection depends on
them, the verdict is UNKNOWN, not FAIL.

Coverage AWS Backup will honour: a selection that reaches the table through tags or ``*``
counts only where the Region is opted in for DynamoDB (``DescribeRegionSettings``); one that
names DynamoDB table ARNs counts regardless (AWS Backup's documented opt-in rule). A selection
that would cover the table but for the opt-in is a FAIL that says so.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import BackupRegionSettings, BackupSelection, Fact, Known, Table, Unknown
from dynaguard.model.backup_match import covering_selections

ADVANCED_OFF = (
    "; AWS Backup's advanced DynamoDB features are off in this region: its backups are "
    "DynamoDB on-demand backups (no vault-key encryption, cold storage or cross-account copy)"
)


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
    subject=Table,
    facts={"region.backup", "table.tags"},  # region.backup: selections and region settings
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
    settings = ctx.scope.backup_settings
    opted_in = settings.value.opted_in if isinstance(settings, Known) else None
    tags = table.tags.value if isinstance(table.tags, Known) else None
    arn = table_arn(table)
    try:
        covering, undecided = covering_selections(selections.value, arn, tags, opted_in)
        if_opted_in, _ = covering_selections(selections.value, arn, tags, True)
    except ValueError as exc:
        return unknown(f"cannot evaluate AWS Backup selections: {exc}", selections.origin)
    if covering:
        return passed(
            f"covered by AWS Backup selection {_names(covering)}{_advanced_note(settings)}",
            covering[0].origin,
        )
    if undecided:
        return unknown(_undecided(table, settings, undecided, if_opted_in), selections.origin)
    if if_opted_in:
        return failed(
            f"AWS Backup selection {_names(if_opted_in)} selects the table by tag or '*', but "
            f"{ctx.scope.region} is not opted in for DynamoDB (DescribeRegionSettings "
            "ResourceTypeOptInPreference): AWS Backup will not back it up; opt in with aws "
            "backup update-region-settings --resource-type-opt-in-preference DynamoDB=true",
            settings.origin,
        )
    if not selections.value:
        return failed("no AWS Backup plan in this region selects any resource", selections.origin)
    return failed(
        f"none of the {len(selections.value)} AWS Backup selections in this region covers "
        "the table",
        selections.origin,
    )


def _advanced_note(settings: Fact[BackupRegionSettings]) -> str:
    if isinstance(settings, Known) and settings.value.advanced is False:
        return ADVANCED_OFF
    return ""


def _undecided(
    table: Table,
    settings: Fact[BackupRegionSettings],
    undecided: list[BackupSelection],
    if_opted_in: list[BackupSelection],
) -> str:
    if isinstance(settings, Unknown) and if_opted_in:
        return (
            f"AWS Backup opt-in for DynamoDB unknown ({settings.reason}); selection "
            f"{_names(if_opted_in)} covers the table only if the region is opted in"
        )
    why = table.tags.reason if isinstance(table.tags, Unknown) else "unknown"
    return f"table tags unknown ({why}); tag-based selection {_names(undecided)} may cover it"
