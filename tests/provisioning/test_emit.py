"""--emit terraform / cloudformation: the code parses (tfparse, YAML + cfn-lint) and describes
the same table as the spec; nothing calls AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dynaguard.cli.main import run
from dynaguard.provisioning import (
    PRESETS,
    SpecDefaults,
    build_spec,
    load_spec,
    render_cloudformation,
    render_terraform,
)
from dynaguard.provisioning.schema_file import parse_schema_text
from dynaguard.provisioning.spec import TableSpec
from tests.provisioning.test_provision_emulator import GLOBAL_SCHEMA

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DEFAULTS = SpecDefaults(region="us-east-1", kms_key_arn=KEY)


def preset_spec(preset: str) -> TableSpec:
    defaults = SpecDefaults(region="us-east-1", kms_key_arn=KEY, table_name=f"sentinel-{preset}")
    return load_spec(preset=preset, defaults=defaults)


def global_spec() -> TableSpec:
    text = GLOBAL_SCHEMA.replace("REPLICA_KEY", WEST_KEY)
    return build_spec(parse_schema_text(text, "ledger.yaml"), DEFAULTS, "ledger.yaml")


def terraform(spec: TableSpec, tmp_path: Path) -> dict[str, Any]:
    import tfparse

    (tmp_path / "main.tf").write_text(render_terraform(spec))
    parsed: dict[str, Any] = tfparse.load_from_path(str(tmp_path))
    return parsed


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def assert_terraform_matches(spec: TableSpec, parsed: dict[str, Any]) -> None:
    (table,) = parsed["aws_dynamodb_table"]
    assert table["name"] == spec.table_name
    assert table["hash_key"] == spec.hash_key
    assert table.get("range_key") == spec.range_key
    assert table["billing_mode"] == spec.billing_mode
    assert {a["name"]: a["type"] for a in as_list(table["attribute"])} == dict(spec.attributes)
    assert table["server_side_encryption"]["enabled"] is True
    assert table["server_side_encryption"]["kms_key_arn"] == spec.encryption.kms_key_arn
    pitr = table["point_in_time_recovery"]
    assert (pitr["enabled"], pitr["recovery_period_in_days"]) == (True, 35)
    assert table["deletion_protection_enabled"] is True
    assert table["ttl"]["attribute_name"] == spec.ttl_attribute
    assert table["stream_view_type"] == spec.stream.view_type
    assert {g["name"] for g in as_list(table["global_secondary_index"])} == {
        g.name for g in spec.global_indexes
    }
    assert table["tags"] == dict(spec.tags)


@pytest.mark.parametrize("preset", PRESETS)
def test_terraform_of_each_preset_parses_and_matches(preset: str, tmp_path: Path) -> None:
    spec = preset_spec(preset)
    parsed = terraform(spec, tmp_path)
    assert_terraform_matches(spec, parsed)
    assert "aws_appautoscaling_target" not in parsed  # on-demand


def test_terraform_of_a_provisioned_global_table(tmp_path: Path) -> None:
    spec = global_spec()
    parsed = terraform(spec, tmp_path)
    assert_terraform_matches(spec, parsed)
    (table,) = parsed["aws_dynamodb_table"]
    replica = table["replica"]
    assert (replica["region_name"], replica["kms_key_arn"]) == ("us-west-2", WEST_KEY)
    assert replica["point_in_time_recovery"] is True
    targets = parsed["aws_appautoscaling_target"]
    assert {(t["resource_id"], t["scalable_dimension"]) for t in targets} == {
        ("table/ledger", "dynamodb:table:ReadCapacityUnits"),
        ("table/ledger", "dynamodb:table:WriteCapacityUnits"),
        ("table/ledger/index/by-batch", "dynamodb:index:ReadCapacityUnits"),
        ("table/ledger/index/by-batch", "dynamodb:index:WriteCapacityUnits"),
    }
    policies = parsed["aws_appautoscaling_policy"]
    assert len(policies) == 4
    assert {
        p["target_tracking_scaling_policy_configuration"]["target_value"] for p in policies
    } == {60}
    (policy,) = parsed["aws_dynamodb_resource_policy"]
    assert "dynamodb:GetItem" in policy["policy"]


def cfn_errors(text: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


@pytest.mark.parametrize("preset", PRESETS)
def test_cloudformation_of_each_preset_lints_and_matches(preset: str) -> None:
    spec = preset_spec(preset)
    text = render_cloudformation(spec)
    assert cfn_errors(text) == []
    resources = yaml.safe_load(text)["Resources"]
    (table,) = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    props = table["Properties"]
    assert props["TableName"] == spec.table_name
    assert props["KeySchema"][0] == {"AttributeName": spec.hash_key, "KeyType": "HASH"}
    assert props["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": KEY,
    }
    assert props["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True,
        "RecoveryPeriodInDays": 35,
    }
    assert props["DeletionProtectionEnabled"] is True
    assert props["TimeToLiveSpecification"]["AttributeName"] == spec.ttl_attribute
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert {t["Key"]: t["Value"] for t in props["Tags"]} == dict(spec.tags)
    assert table["DeletionPolicy"] == "Retain"


def test_cloudformation_single_region_provisioned_has_scaling_resources() -> None:
    text = GLOBAL_SCHEMA.replace(
        "replicas:\n  - region: us-west-2\n    kms_key_arn: REPLICA_KEY\n", ""
    )
    spec = build_spec(parse_schema_text(text, "l.yaml"), DEFAULTS, "l.yaml")
    rendered = render_cloudformation(spec, as_json=True)
    assert cfn_errors(rendered) == []
    resources = json.loads(rendered)["Resources"]
    kinds = [r["Type"] for r in resources.values()]
    assert kinds.count("AWS::ApplicationAutoScaling::ScalableTarget") == 4
    assert kinds.count("AWS::ApplicationAutoScaling::ScalingPolicy") == 4
    policy = resources["Ledger"]["Properties"]["ResourcePolicy"]["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/ledger"
    }


def test_cloudformation_global_table_carries_replicas() -> None:
    spec = global_spec()
    text = render_cloudformation(spec)
    assert cfn_errors(text) == []
    (table,) = yaml.safe_load(text)["Resources"].values()
    assert table["Type"] == "AWS::DynamoDB::GlobalTable"
    replicas = {r["Region"]: r for r in table["Properties"]["Replicas"]}
    assert set(replicas) == {"us-east-1", "us-west-2"}
    assert replicas["us-west-2"]["SSESpecification"] == {"KMSMasterKeyId": WEST_KEY}
    assert all(
        r["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"] == 35
        for r in replicas.values()
    )
    scaling = table["Properties"]["WriteProvisionedThroughputSettings"]
    assert scaling["WriteCapacityAutoScalingSettings"]["MaxCapacity"] == 50


def test_emit_cli_writes_a_file_and_calls_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # would fail if called
    out = tmp_path / "approvals.tf"
    code = run(
        [
            "provision",
            "--preset",
            "approvals",
            "--name",
            "approvals",
            "--region",
            "us-east-1",
            "--kms-key",
            KEY,
            "--emit",
            "terraform",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert 'resource "aws_dynamodb_table" "approvals"' in out.read_text()
    err = capsys.readouterr().err
    assert "baseline check of the rendered table" in err
    code = run(
        [
            "provision",
            "--preset",
            "sessions",
            "--name",
            "sessions",
            "--region",
            "us-east-1",
            "--emit",
            "cloudformation",
        ]
    )
    assert code == 0
    assert yaml.safe_load(capsys.readouterr().out)["Resources"]["Sessions"]
