"""The words every part of dynaguard shares: verdict statuses, severities, the kinds of subject a
control judges, the names of the facts collectors can be asked for, and the baseline's control
ids.

They live in the model (not in ``controls/``) because sources, controls, the evaluator, reports
and remediation all speak them, and a source must never reach up into the controls to learn them.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    SUPPRESSED = "SUPPRESSED"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ("low", "medium", "high", "critical").index(self.value)


class SubjectKind(StrEnum):
    """The kinds of resource a control judges; a selection names them too (``--include``)."""

    TABLE = "table"
    DAX_CLUSTER = "dax_cluster"
    VPC = "vpc"
    IAM_POLICY = "iam_policy"
    KMS_KEY = "kms_key"


# The facts a control can ask collectors for. Live collectors map them to API calls.
FACTS = frozenset(
    {
        "table.describe",  # DescribeTable
        "table.pitr",  # DescribeContinuousBackups
        "table.ttl",  # DescribeTimeToLive
        "table.tags",  # ListTagsOfResource
        "table.resource_policy",  # GetResourcePolicy (table and stream)
        "replicas",  # each global-table replica described in its own region
        "kms.keys",  # kms:DescribeKey per distinct key
        "kms.rotation",  # kms:GetKeyRotationStatus per distinct customer key
        # kms:ListAliases per distinct customer key: only when baseline.allowed_kms_keys names
        # a key by alias ARN (collect.facts_needed adds it; no control declares it)
        "kms.aliases",
        "region.scaling",  # Application Auto Scaling targets and policies
        "region.backup",  # AWS Backup plans and selections
        "region.dax",  # DAX DescribeClusters
        "region.vpcs",  # EC2 DescribeVpcs + DescribeVpcEndpoints
        # The same reads, made only in a region where a table's resource or stream policy
        # names aws:SourceVpc / aws:SourceVpce (DDB.006 trusts the account's own endpoints).
        "policy.network",
        "account.iam",  # IAM GetAccountAuthorizationDetails
        "region.alarms",  # CloudWatch DescribeAlarms
    }
)

# The baseline's controls (CONTROLS.md). Each has one module in controls/, which registers it
# (the registry refuses an id not listed here, and a test checks none is missing). Listed here
# so that what only needs the names (inline suppressions in a parser worker, the configuration)
# does not load the catalog.
CONTROL_IDS = frozenset(f"DDB.{number:03d}" for number in range(1, 19))
