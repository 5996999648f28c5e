"""How to fix each control in infrastructure code, for findings from Terraform and CloudFormation.

A live finding's remediation is an AWS CLI command with the resource's names (live_fixes.py);
a finding that points at a line of code says what to write there instead, in the language of
that file. Keyed by control id, then by source kind ("terraform" also serves plan JSON). The
kind is the resource's own (``Origin.source``), so a folder holding Terraform and
CloudFormation gets each fix in its own language.
"""

from __future__ import annotations

from collections.abc import Mapping

from dynaguard.config import Baseline
from dynaguard.controls.base import Control, Subject
from dynaguard.controls.live_fixes import live_fix
from dynaguard.model import SourceKind

CODE_FIXES: Mapping[str, Mapping[str, str]] = {
    "DDB.001": {
        "terraform": "server_side_encryption { enabled = true, kms_key_arn = aws_kms_key.KEY.arn }"
        " (a customer managed key, not alias/aws/dynamodb)",
        "cloudformation": "SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: "
        "!GetAtt Key.Arn} (a customer managed key, not alias/aws/dynamodb)",
    },
    "DDB.002": {
        "terraform": "point_in_time_recovery { enabled = true, recovery_period_in_days = 35 }",
        "cloudformation": "PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true, "
        "RecoveryPeriodInDays: 35}",
    },
    "DDB.003": {
        "terraform": "deletion_protection_enabled = true",
        "cloudformation": "DeletionProtectionEnabled: true",
    },
    "DDB.004": {
        "terraform": 'billing_mode = "PAY_PER_REQUEST", or aws_appautoscaling_target + '
        "aws_appautoscaling_policy (TargetTrackingScaling) for read and write of the table and "
        "of every GSI (resource_id table/NAME and table/NAME/index/IDX)",
        "cloudformation": "BillingMode: PAY_PER_REQUEST, or AWS::ApplicationAutoScaling::"
        "ScalableTarget + ScalingPolicy (TargetTrackingScaling) for read and write of the table "
        "and of every GSI",
    },
    "DDB.005": {
        "terraform": "an aws_backup_selection whose resources or selection_tag covers the table "
        "(and no not_resources excluding it)",
        "cloudformation": "an AWS::Backup::BackupSelection whose Resources or ListOfTags covers "
        "the table (and no NotResources excluding it)",
    },
    "DDB.006": {
        "terraform": "aws_dynamodb_resource_policy: name only trusted accounts as principals, or "
        "pin Principal * with a condition on aws:PrincipalAccount / aws:PrincipalOrgID",
        "cloudformation": "ResourcePolicy: name only trusted accounts as principals, or pin "
        "Principal * with a condition on aws:PrincipalAccount / aws:PrincipalOrgID",
    },
    "DDB.007": {
        "terraform": "server_side_encryption { enabled = true } on aws_dax_cluster (replaces the "
        "cluster)",
        "cloudformation": "SSESpecification: {SSEEnabled: true} on AWS::DAX::Cluster (replaces "
        "the cluster)",
    },
    "DDB.008": {
        "terraform": 'cluster_endpoint_encryption_type = "TLS" (replaces the cluster)',
        "cloudformation": "ClusterEndpointEncryptionType: TLS (replaces the cluster)",
    },
    "DDB.009": {
        "terraform": "replication_factor = 3 and availability_zones in at least two zones",
        "cloudformation": "ReplicationFactor: 3 and AvailabilityZones in at least two zones",
    },
    "DDB.010": {
        "terraform": "kms_key_arn = a customer managed key of the replica's region, in every "
        "replica block (or aws_dynamodb_table_replica)",
        "cloudformation": "SSESpecification.ReplicaSSESpecification.KMSMasterKeyId in every "
        "replica of the AWS::DynamoDB::GlobalTable",
    },
    "DDB.011": {
        "terraform": "point_in_time_recovery = true in every replica block (or "
        "aws_dynamodb_table_replica)",
        "cloudformation": "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true in "
        "every replica of the AWS::DynamoDB::GlobalTable",
    },
    "DDB.012": {
        "terraform": "replace dynamodb:* / * with the actions the principals use, on the table "
        "ARNs they need",
        "cloudformation": "replace dynamodb:* / * with the actions the principals use, on the "
        "table ARNs they need",
    },
    "DDB.013": {
        "terraform": 'stream_enabled = true, stream_view_type = "NEW_AND_OLD_IMAGES"',
        "cloudformation": "StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}",
    },
    "DDB.014": {
        "terraform": 'ttl { enabled = true, attribute_name = "expires_at" } (an attribute that '
        "holds an epoch; items past it are deleted)",
        "cloudformation": "TimeToLiveSpecification: {Enabled: true, AttributeName: expires_at} "
        "(an attribute that holds an epoch; items past it are deleted)",
    },
    "DDB.015": {
        "terraform": "aws_vpc_endpoint { vpc_id = aws_vpc.VPC.id, service_name = "
        '"com.amazonaws.REGION.dynamodb", route_table_ids = [...] }',
        "cloudformation": "AWS::EC2::VPCEndpoint with VpcId, ServiceName "
        "com.amazonaws.REGION.dynamodb and RouteTableIds",
    },
    "DDB.016": {
        "terraform": "enable_key_rotation = true (and is_enabled = true) on the aws_kms_key",
        "cloudformation": "EnableKeyRotation: true (and Enabled: true) on the AWS::KMS::Key",
    },
    "DDB.017": {
        "terraform": "tags = { KEY = ... } with every required tag key (or provider default_tags)",
        "cloudformation": "Tags: [{Key: KEY, Value: ...}] with every required tag key",
    },
    "DDB.018": {
        "terraform": 'two aws_cloudwatch_metric_alarm (namespace = "AWS/DynamoDB", metric_name '
        '= "ReadThrottleEvents" / "WriteThrottleEvents", dimensions = { TableName = '
        'aws_dynamodb_table.TABLE.name }, statistic = "Sum", period = 60, threshold = 0, '
        'comparison_operator = "GreaterThanThreshold", alarm_actions = [aws_sns_topic.T.arn])',
        "cloudformation": "two AWS::CloudWatch::Alarm (Namespace: AWS/DynamoDB, MetricName: "
        "ReadThrottleEvents / WriteThrottleEvents, Dimensions: [{Name: TableName, Value: !Ref "
        "TABLE}], Statistic: Sum, Period: 60, Threshold: 0, ComparisonOperator: "
        "GreaterThanThreshold, AlarmActions: [!Ref Topic])",
    },
}


def code_fix(control_id: str, source: str) -> str | None:
    """The code-level fix for a finding from ``source`` (terraform, plan, cloudformation)."""
    kind = "terraform" if source in ("terraform", "plan") else source
    return CODE_FIXES.get(control_id, {}).get(kind)


def source_of(subject: Subject) -> SourceKind:
    """The kind of source the subject came from (a live read when its origin does not say)."""
    origin = subject.origin
    return origin.source if origin is not None and origin.source is not None else SourceKind.AWS


def remediation_for(control: Control, subject: Subject, baseline: Baseline) -> str:
    """The fix to show on a FAIL of ``control`` on ``subject``: in the subject's own code
    language, or as a command with its real names; the control's general recipe otherwise."""
    source = source_of(subject)
    if source.is_code:
        return code_fix(control.id, source) or control.remediation
    return live_fix(control.id, subject, baseline) or control.remediation
