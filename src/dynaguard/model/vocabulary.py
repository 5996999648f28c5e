"""The words every part of dynaguard shares: verdict statuses, severities, the kinds of subject a
control judges, and the names of the facts collectors can be asked for.

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
