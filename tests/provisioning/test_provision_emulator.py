"""Provisioning against the patched emulator: every preset creates a table that a scan then
finds compliant on every control that judges a single table (and its key); a provisioned
global table with a resource policy exercises every post-create step."""

from __future__ import annotations

import pytest

import dynaguard
from dynaguard.model import Status
from dynaguard.provisioning import PRESETS
from tests.provisioning.conftest import REGION, REPLICA_REGION, Aws, Provision

SINGLE_TABLE_TYPES = ("table", "replica", "kms_key")
TAGS = ("--tag", "owner=security", "--tag", "cost-center=cc-7", "--tag", "backup=daily")


def scan_single_table(aws: Aws, name: str, config: str) -> list[dynaguard.report.Finding]:
    report = dynaguard.scan(
        regions=(REGION,), tables=(name,), include=("kms",), endpoint_url=aws.url, config=config
    )
    return [f for f in report.findings if f.resource_type in SINGLE_TABLE_TYPES]


def assert_compliant(findings: list[dynaguard.report.Finding]) -> None:
    bad = [
        (f.control_id, f.resource_id, f.status.value, f.reason)
        for f in findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
    ]
    assert not bad, bad


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_creates_a_table_that_a_scan_finds_compliant(
    preset: str, aws: Aws, provision: Provision, config_file: str
) -> None:
    key = aws.customer_key()
    aws.backup_plan_by_tag()
    name = f"sentinel-{preset}"
    code, result = provision(
        "--preset",
        preset,
        "--name",
        name,
        "--region",
        REGION,
        "--kms-key",
        key,
        "--config",
        config_file,
        "--alarm-topic",
        aws.alarm_topic(),
        "--yes",
        *TAGS,
    )
    assert code == 0, result
    assert result["outcome"] == "created"
    assert all(r["status"] == "verified" for r in result["results"])
    planned = {f["control_id"]: f["status"] for f in result["preflight"]["findings"]}
    assert planned["DDB.001"] == planned["DDB.002"] == planned["DDB.017"] == "PASS"
    findings = scan_single_table(aws, name, config_file)
    assert {f.control_id for f in findings} >= {
        "DDB.001",
        "DDB.002",
        "DDB.003",
        "DDB.004",
        "DDB.005",
        "DDB.006",
        "DDB.013",
        "DDB.014",
        "DDB.016",
        "DDB.017",
        "DDB.018",
    }
    assert_compliant(findings)
    # the plan predicted what the scan found
    scanned = {f.control_id: f.status.value for f in findings if f.resource_type == "table"}
    for control_id, status in scanned.items():
        assert planned[control_id] == status, control_id


GLOBAL_SCHEMA = """
table_name: ledger
attributes: {account: S, entry_at: S, batch: S}
hash_key: account
range_key: entry_at
billing_mode: PROVISIONED
capacity: {read: 5, write: 5}
autoscaling: {max_capacity: 50, target_utilization: 60}
global_indexes:
  - name: by-batch
    hash_key: batch
    projection: KEYS_ONLY
    capacity: {read: 2, write: 2}
ttl_attribute: purge_at
point_in_time_recovery: {enabled: true, recovery_period_in_days: 35}
replicas:
  - region: us-west-2
    kms_key_arn: REPLICA_KEY
tags: {owner: ledger-team, cost-center: cc-9, backup: daily}
resource_policy:
  Version: "2012-10-17"
  Statement:
    - Sid: SameAccountReaders
      Effect: Allow
      Principal: {AWS: "arn:aws:iam::123456789012:root"}
      Action: ["dynamodb:GetItem", "dynamodb:Query"]
      Resource: "${table_arn}"
"""


def test_provisioned_global_table_with_policy_runs_every_post_create_step(
    aws: Aws, provision: Provision, config_file: str, tmp_path
) -> None:
    key, replica_key = aws.customer_key(), aws.customer_key(REPLICA_REGION)
    aws.backup_plan_by_tag()
    schema = tmp_path / "ledger.yaml"
    schema.write_text(GLOBAL_SCHEMA.replace("REPLICA_KEY", replica_key))
    code, result = provision(
        str(schema),
        "--region",
        REGION,
        "--kms-key",
        key,
        "--config",
        config_file,
        "--alarm-topic",
        aws.alarm_topic(),
        "--yes",
    )
    assert code == 0, result
    assert [r["action"] for r in result["results"]].count("cloudwatch:PutMetricAlarm") == 2
    actions = [r["action"] for r in result["results"]]
    assert actions.count("application-autoscaling:RegisterScalableTarget") == 4
    assert actions.count("application-autoscaling:PutScalingPolicy") == 4
    assert "dynamodb:PutResourcePolicy" in actions
    assert "dynamodb:UpdateTable" in actions  # the replica
    assert actions.count("dynamodb:UpdateContinuousBackups") == 2  # table + replica
    findings = scan_single_table(aws, "ledger", config_file)
    replicas = [f for f in findings if f.resource_type == "replica"]
    assert {f.control_id for f in replicas} == {"DDB.010", "DDB.011"}
    assert_compliant(findings)
    ddb = aws.client("dynamodb")
    described = ddb.describe_table(TableName="ledger")["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    policy = ddb.get_resource_policy(ResourceArn=described["TableArn"])["Policy"]
    assert described["TableArn"] in policy  # ${table_arn} was replaced


def test_waits_while_the_table_is_updating(
    aws: Aws, provision: Provision, config_file: str, tmp_path
) -> None:
    from dynaguard.emulator import patches_table_status as status

    key, replica_key = aws.customer_key(), aws.customer_key(REPLICA_REGION)
    schema = tmp_path / "t.yaml"
    schema.write_text(
        "table_name: waits\nattributes: {pk: S}\nhash_key: pk\n"
        f"replicas: [{{region: {REPLICA_REGION}, kms_key_arn: '{replica_key}'}}]\n"
        "tags: {owner: a, cost-center: b}\n"
    )
    status.set_update_settle(3)
    try:
        code, result = provision(
            str(schema), "--region", REGION, "--kms-key", key, "--config", config_file, "--yes"
        )
    finally:
        status.set_update_settle(0)
    assert code == 0, result
    assert result["api_calls"]["dynamodb:DescribeTable"] > 4  # polled through UPDATING


def test_failed_step_stops_and_exits_1(aws: Aws, provision: Provision, config_file: str) -> None:
    # a key that KMS does not know: CreateTable is refused (as AWS refuses it)
    missing = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    code, result = provision(
        "--preset",
        "sessions",
        "--name",
        "sessions-bad-key",
        "--region",
        REGION,
        "--kms-key",
        missing,
        "--config",
        config_file,
        "--yes",
        *TAGS,
    )
    assert code == 1, provision.stderr
    assert result["outcome"] == "failed"
    statuses = [r["status"] for r in result["results"]]
    assert statuses[0] == "failed"
    assert set(statuses[1:]) == {"not_attempted"}
