"""The YAML configuration: baseline parameters, per-control settings and suppressions.

These frozen dataclasses are what the rest of dynaguard reads, and where defaults live. A file
is read by ``config_load`` against the schema in ``config_model`` (pydantic models, imported
only when a file is read, so start-up stays fast).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from dynaguard.model import wildcard
from dynaguard.model.aws_rules import DEFAULT_PITR_DAYS
from dynaguard.sources.iac.files import IacLimits

SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class AutoscalingRule:
    target_utilization: float = 70.0
    min_target: float = 20.0
    max_target: float = 90.0
    min_capacity: int | None = None
    max_capacity: int | None = None


class EncryptionMode(StrEnum):
    """What DDB.001 / DDB.010 accept at rest (``baseline.encryption``)."""

    CMK = "cmk"  # a customer managed KMS key only
    KMS = "kms"  # any KMS key, the AWS managed key aws/dynamodb too


@dataclass(frozen=True, slots=True)
class Baseline:
    encryption: EncryptionMode = EncryptionMode.CMK
    allowed_kms_keys: tuple[str, ...] = ()
    pitr_min_days: int = DEFAULT_PITR_DAYS
    trusted_accounts: tuple[str, ...] = ()
    trusted_org_ids: tuple[str, ...] = ()
    # DDB.006: network paths that count as inside besides the account's own (collected) ones.
    trusted_vpc_endpoints: tuple[str, ...] = ()
    trusted_vpcs: tuple[str, ...] = ()
    stream_view_types: tuple[str, ...] = ("NEW_AND_OLD_IMAGES",)
    required_tags: tuple[str, ...] = ()
    autoscaling: AutoscalingRule = field(default_factory=AutoscalingRule)
    dax_min_azs: int = 2
    dax_min_nodes: int = 3


@dataclass(frozen=True, slots=True)
class ControlSettings:
    enabled: bool = True
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    control: str
    resources: tuple[str, ...]
    reason: str
    expires: dt.date | None = None

    def matches(self, control_id: str, resource_ids: tuple[str, ...]) -> bool:
        if self.control not in (control_id, "*"):
            return False
        return any(
            wildcard.matches(pattern, rid) for rid in resource_ids for pattern in self.resources
        )

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, slots=True)
class BackupPlanChoice:
    """Where ``dynaguard harden`` adds tables for DDB.005: an existing plan (name or id) that
    gets one new selection per table, or the plan ``--create-backup-plan`` creates."""

    plan: str | None = None
    iam_role_arn: str | None = None  # default: the AWSBackupDefaultServiceRole of the account
    retention_days: int = 35
    vault: str = "Default"


@dataclass(frozen=True, slots=True)
class HardenSettings:
    """The ``harden:`` section: what ``dynaguard harden`` may set, where the issue leaves a
    choice to the user. ``kms_key`` maps a region (or ``*`` for every region) to a key."""

    kms_key: Mapping[str, str] = field(default_factory=dict)
    ttl_attributes: Mapping[str, str] = field(default_factory=dict)
    default_tags: Mapping[str, str] = field(default_factory=dict)
    backup_tag: tuple[str, str] | None = None
    backup_plan: BackupPlanChoice | None = None
    max_capacity_multiple: int = 4
    pitr_days: int = DEFAULT_PITR_DAYS
    opt_in: tuple[str, ...] = ()
    # DDB.018: region -> SNS topic ARN the throttling alarms notify; M of N one-minute periods.
    alarm_topic: Mapping[str, str] = field(default_factory=dict)
    alarm_datapoints: int = 1
    alarm_evaluation_periods: int = 1


HARDEN_OPT_IN = ("DDB.006", "DDB.013", "DDB.015")


@dataclass(frozen=True, slots=True)
class CostSettings:
    """The ``cost:`` section: price overrides ({REGION or *: {item: USD}}) and assumptions."""

    prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    kms_requests_per_table_month: int = 8640


@dataclass(frozen=True, slots=True)
class DrillSettings:
    """The ``drill:`` section: recovery targets and how hard the verification may read."""

    rpo_target_minutes: float = 15.0
    rto_target_minutes: float = 60.0
    sample_items: int = 100
    read_units_per_second: int = 50


@dataclass(frozen=True, slots=True)
class Config:
    baseline: Baseline = field(default_factory=Baseline)
    controls: Mapping[str, ControlSettings] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    path: str | None = None
    harden: HardenSettings = field(default_factory=HardenSettings)
    cost: CostSettings = field(default_factory=CostSettings)
    drill: DrillSettings = field(default_factory=DrillSettings)
    iac: IacLimits = field(default_factory=IacLimits)  # the iac: section (limits of a run)
