"""The fix of a live finding as a command to paste: the resource's real name, region and ARN.

A control's ``remediation`` is the general recipe (the catalog, SARIF rule help); a finding on
a live resource gets the same recipe filled in for that resource (``aws dynamodb
update-continuous-backups --region eu-west-1 --table-name orders ...``). Only values that stand
for a choice the user must make stay in capitals (``KEY_ARN``, ``ATTRIBUTE``, ``PLAN_ID``).
A value that is not a plain AWS name (it never happens with what AWS returns) is not pasted
into a shell command: the general recipe is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dynaguard.config import Baseline
from dynaguard.controls.base import Subject

_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@+=,-]{1,2048}$")

LIVE_FIXES: Mapping[str, str] = {
    "DDB.001": "aws dynamodb update-table --region {region} --table-name {name} "
    "--sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN (a customer managed "
    "key in {region}; or: dynaguard harden --region {region} --table {name} --kms-key KEY_ARN)",
    "DDB.002": "aws dynamodb update-continuous-backups --region {region} --table-name {name} "
    "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,"
    "RecoveryPeriodInDays={days} (or: dynaguard harden --region {region} --table {name})",
    "DDB.003": "aws dynamodb update-table --region {region} --table-name {name} "
    "--deletion-protection-enabled (or: dynaguard harden --region {region} --table {name})",
    "DDB.004": "aws application-autoscaling register-scalable-target --region {region} "
    "--service-namespace dynamodb --resource-id table/{name} --scalable-dimension "
    "dynamodb:table:ReadCapacityUnits --min-capacity MIN --max-capacity MAX, then aws "
    "application-autoscaling put-scaling-policy --region {region} --service-namespace dynamodb "
    "--resource-id table/{name} --scalable-dimension dynamodb:table:ReadCapacityUnits "
    "--policy-name {name}-read --policy-type TargetTrackingScaling "
    '--target-tracking-scaling-policy-configuration \'{{"TargetValue": {target}, '
    '"PredefinedMetricSpecification": {{"PredefinedMetricType": '
    '"DynamoDBReadCapacityUtilization"}}}}\' (the same for WriteCapacityUnits and for every GSI, '
    "table/{name}/index/INDEX; or: dynaguard harden --region {region} --table {name})",
    "DDB.005": "aws backup create-backup-selection --region {region} --backup-plan-id PLAN_ID "
    '--backup-selection \'{{"SelectionName": "{selection}", "IamRoleArn": '
    '"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole", '
    '"Resources": ["{arn}"]}}\' (or tag {name} for a tag-based selection; or: dynaguard '
    "harden --region {region} --table {name})",
    "DDB.006": "aws dynamodb get-resource-policy --region {region} --resource-arn {arn}, remove "
    "the statements that open the table (or add a condition on aws:PrincipalOrgID), then aws "
    "dynamodb put-resource-policy --region {region} --resource-arn {arn} --policy "
    "file://policy.json --expected-revision-id REVISION (or: dynaguard harden --region {region} "
    "--table {name} --only DDB.006)",
    "DDB.007": "encryption at rest is chosen at creation: aws dax create-cluster --region "
    "{region} --cluster-name {name}-new --node-type NODE_TYPE --replication-factor 3 "
    "--iam-role-arn ROLE_ARN --sse-specification Enabled=true --cluster-endpoint-encryption-type "
    "TLS, point clients at it, then aws dax delete-cluster --region {region} --cluster-name "
    "{name}",
    "DDB.008": "the endpoint encryption is chosen at creation: aws dax create-cluster --region "
    "{region} --cluster-name {name}-new --node-type NODE_TYPE --replication-factor 3 "
    "--iam-role-arn ROLE_ARN --cluster-endpoint-encryption-type TLS --sse-specification "
    "Enabled=true, switch clients to its daxs:// endpoint, then aws dax delete-cluster --region "
    "{region} --cluster-name {name}",
    "DDB.009": "aws dax increase-replication-factor --region {region} --cluster-name {name} "
    "--new-replication-factor 3 --availability-zones ZONE_A ZONE_B ZONE_C (zones of {region} the "
    "nodes do not use yet; or: dynaguard harden --region {region} --dax-cluster {name})",
    "DDB.010": "aws dynamodb update-table --table-name {name} --replica-updates "
    '\'[{{"Update": {{"RegionName": "{region}", "KMSMasterKeyId": "KEY_ARN"}}}}]\' (in the '
    "region of the table it replicates; KEY_ARN a customer managed key in {region}; or: "
    "dynaguard harden --table {name})",
    "DDB.011": "aws dynamodb update-continuous-backups --region {region} --table-name {name} "
    "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,"
    "RecoveryPeriodInDays={days} (or: dynaguard harden --table {name})",
    "DDB.012": "write the statement with the actions the principals use on the table ARNs they "
    "need, then aws iam create-policy-version --policy-arn {arn} --policy-document "
    "file://scoped.json --set-as-default (no automatic fix)",
    "DDB.013": "aws dynamodb update-table --region {region} --table-name {name} "
    "--stream-specification StreamEnabled=true,StreamViewType={view} (a stream with another view "
    "type must be disabled first; or: dynaguard harden --region {region} --table {name} --only "
    "DDB.013)",
    "DDB.014": "aws dynamodb update-time-to-live --region {region} --table-name {name} "
    "--time-to-live-specification Enabled=true,AttributeName=ATTRIBUTE (the attribute holding an "
    "epoch time: items past it are deleted)",
    "DDB.015": "aws ec2 create-vpc-endpoint --region {region} --vpc-id {name} "
    "--vpc-endpoint-type Gateway --service-name com.amazonaws.{region}.dynamodb "
    "--route-table-ids ROUTE_TABLE_IDS (or: dynaguard harden --region {region} --include vpc "
    "--only DDB.015)",
    "DDB.016": "aws kms enable-key-rotation --region {region} --key-id {key} (and aws kms "
    "enable-key / cancel-key-deletion if the key is disabled or pending deletion)",
    "DDB.017": "aws dynamodb tag-resource --region {region} --resource-arn {arn} --tags "
    "Key=KEY,Value=VALUE (each missing required tag; or: dynaguard harden --region {region} "
    "--table {name} with harden.default_tags)",
    "DDB.018": "aws cloudwatch put-metric-alarm --region {region} --alarm-name "
    "dynaguard-{name}-ReadThrottleEvents --namespace AWS/DynamoDB --metric-name ReadThrottleEvents "
    "--dimensions Name=TableName,Value={name} --statistic Sum --period 60 --evaluation-periods 1 "
    "--threshold 0 --comparison-operator GreaterThanThreshold --treat-missing-data notBreaching "
    "--alarm-actions SNS_TOPIC_ARN (the same for WriteThrottleEvents; or: dynaguard harden "
    "--region {region} --table {name} --only DDB.018 --alarm-topic SNS_TOPIC_ARN)",
}


def live_fix(control_id: str, subject: Subject, baseline: Baseline) -> str | None:
    """The control's fix for this live resource, or None (no recipe, or names not plain)."""
    template = LIVE_FIXES.get(control_id)
    if template is None:
        return None
    values = {
        "name": subject.resource_id,
        "region": subject.region,
        "account": subject.account_id,
        "arn": subject.arn,
        "key": subject.arn or subject.resource_id,
        "selection": f"dynaguard-{subject.resource_id}"[:50],  # AWS Backup: 1-50 characters
        "days": str(baseline.pitr_min_days),
        "view": baseline.stream_view_types[0] if baseline.stream_view_types else "",
        "target": f"{baseline.autoscaling.target_utilization:g}",
    }
    used = {k: v for k, v in values.items() if "{" + k + "}" in template}
    if not all(isinstance(v, str) and _PLAIN.match(v) for v in used.values()):
        return None
    return template.format(**values)
