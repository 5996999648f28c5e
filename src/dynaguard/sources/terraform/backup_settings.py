"""``aws_backup_region_settings`` -> the Region's AWS Backup settings for DynamoDB (DDB.005).

Without that resource the code says nothing about the Region's opt-in, and AWS's documented
default applies (set once, in ``Declared.scope``): an account that uses AWS Backup in a Region
is opted in to every resource type supported there
(https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html).
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/backup_region_settings
"""

from __future__ import annotations

from collections.abc import Mapping

from dynaguard.model import BackupRegionSettings, Fact, Known, Unknown
from dynaguard.sources.iac.blocks import first_unknown
from dynaguard.sources.terraform.context import TfContext


def map_backup_settings(ctx: TfContext) -> Fact[BackupRegionSettings] | None:
    """The declared settings; None when the code declares none; Unknown when unresolved."""
    for block in ctx.of_type("aws_backup_region_settings"):
        opt_in = block.raw("resource_type_opt_in_preference")
        management = block.raw("resource_type_management_preference")
        hole = first_unknown(opt_in) or first_unknown(management)
        if hole is not None:
            return Unknown(f"{block.address}: {hole.reason}", block.origin)
        if not isinstance(opt_in, Mapping) or not isinstance(opt_in.get("DynamoDB"), bool):
            return Unknown(
                f"{block.address}.resource_type_opt_in_preference has no DynamoDB true/false",
                block.origin,
            )
        advanced = management.get("DynamoDB") if isinstance(management, Mapping) else None
        return Known(
            BackupRegionSettings(
                opted_in=opt_in["DynamoDB"],
                advanced=advanced if isinstance(advanced, bool) else None,
                origin=block.origin,
            ),
            block.origin,
        )
    return None
