"""Schema validation: every rule, every problem reported at once and naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.config import Baseline
from dynaguard.provisioning import SchemaError, SpecDefaults, build_spec, load_spec
from dynaguard.provisioning.schema_file import parse_schema_text
from dynaguard.provisioning.spec import EncryptionType

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = "arn:aws:kms:us-east-1:123456789012:alias/orders"
DEFAULTS = SpecDefaults(region="us-east-1")
MINIMAL = "table_name: orders\nattributes: {pk: S}\nhash_key: pk\n"


def spec(text: str, defaults: SpecDefaults = DEFAULTS) -> Any:
    return build_spec(parse_schema_text(text, "t.yaml"), defaults, "t.yaml")


def problems(text: str, defaults: SpecDefaults = DEFAULTS) -> dict[str, str]:
    with pytest.raises(SchemaError) as caught:
        spec(text, defaults)
    return {p.field: p.message for p in caught.value.problems}


def test_minimal_schema_gets_the_secure_defaults() -> None:
    s = spec(MINIMAL, SpecDefaults(region="us-east-1", baseline=Baseline(pitr_min_days=30)))
    assert s.encryption.type is EncryptionType.KMS  # no customer key given or configured
    assert s.pitr.enabled and s.pitr.recovery_period_in_days == 30
    assert s.deletion_protection is True
    assert s.billing_mode == "PAY_PER_REQUEST"
    assert any("encryption" in d for d in s.defaults_applied)


def test_customer_key_from_kms_key_option_or_configured_allow_list() -> None:
    given = spec(MINIMAL, SpecDefaults(region="us-east-1", kms_key_arn=KEY))
    assert (given.encryption.type, given.encryption.kms_key_arn) == (
        EncryptionType.CUSTOMER_KEY,
        KEY,
    )
    configured = spec(
        MINIMAL,
        SpecDefaults(region="us-east-1", baseline=Baseline(allowed_kms_keys=(WEST_KEY, KEY))),
    )
    assert configured.encryption.kms_key_arn == KEY  # the one in the table's region


@pytest.mark.parametrize("kind", ["DEFAULT", "KMS"])
def test_default_and_kms_take_no_key_arn(kind: str) -> None:
    found = problems(MINIMAL + f"encryption: {{type: {kind}, kms_key_arn: '{KEY}'}}\n")
    assert "takes no key ARN" in found["encryption.kms_key_arn"]


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (None, "needs a KMS key ARN"),
        ("alias/orders", "is not a KMS key ARN"),
        ("arn:aws:kms:us-east-1:123456789012:key/not-a-uuid", "is not a KMS key ARN"),
        ("arn:aws:kms:us-east-1:1234:key/1234abcd-12ab-34cd-56ef-1234567890ab", "not a KMS key"),
        ("arn:aws:kms:us-east-1:123456789012:alias/aws/dynamodb", "AWS managed key"),
        (WEST_KEY, "KMS keys are regional"),
    ],
)
def test_customer_key_needs_a_well_formed_key_arn(arn: str | None, message: str) -> None:
    extra = f", kms_key_arn: '{arn}'" if arn else ""
    found = problems(MINIMAL + f"encryption: {{type: CUSTOMER_KEY{extra}}}\n")
    assert message in found["encryption.kms_key_arn"]


def test_alias_arn_is_accepted_for_a_customer_key() -> None:
    s = spec(MINIMAL + f"encryption: {{type: CUSTOMER_KEY, kms_key_arn: '{ALIAS}'}}\n")
    assert s.encryption.kms_key_arn == ALIAS


def test_key_attributes_defined_with_valid_types() -> None:
    found = problems(
        "table_name: orders\nattributes: {pk: S, sk: X, unused: N}\nhash_key: pk\n"
        "range_key: missing\n"
    )
    assert "not defined in attributes" in found["range_key"]
    assert "S (string), N (number) or B (binary)" in found["attributes.sk"]
    assert "not used" in found["attributes.unused"]
    assert "required" in problems("table_name: orders\nattributes: {pk: S}\n")["hash_key"]


def test_gsi_names_unique_and_keys_defined() -> None:
    found = problems(
        MINIMAL.replace("{pk: S}", "{pk: S, a: S}")
        + "global_indexes:\n  - {name: by-a, hash_key: a}\n  - {name: by-a, hash_key: nope}\n"
        + "local_indexes:\n  - {name: by-a, range_key: a}\n"
    )
    assert "already used" in found["global_indexes[1].name"]
    assert "not defined" in found["global_indexes[1].hash_key"]
    assert "needs a table with a range_key" in found["local_indexes"]


def test_capacity_exactly_when_provisioned() -> None:
    on_demand = problems(
        MINIMAL + "billing_mode: PAY_PER_REQUEST\ncapacity: {read: 5, write: 5}\n"
        "global_indexes:\n  - {name: g1, hash_key: pk, capacity: {read: 1, write: 1}}\n"
    )
    assert "only with billing_mode PROVISIONED" in on_demand["capacity"]
    assert "only with billing_mode PROVISIONED" in on_demand["global_indexes[0].capacity"]
    provisioned = problems(
        MINIMAL + "billing_mode: PROVISIONED\nglobal_indexes:\n  - {name: g1, hash_key: pk}\n"
    )
    assert "required with billing_mode PROVISIONED" in provisioned["capacity"]
    assert "required with billing_mode PROVISIONED" in provisioned["global_indexes[0].capacity"]


def test_provisioned_gets_autoscaling_within_bounds() -> None:
    s = spec(MINIMAL + "billing_mode: PROVISIONED\ncapacity: {read: 5, write: 10}\n")
    assert s.autoscaling is not None
    assert (s.autoscaling.min_capacity, s.autoscaling.target_utilization) == (5, 70.0)
    found = problems(
        MINIMAL + "capacity: {read: 5, write: 5}\n"
        "autoscaling: {min_capacity: 10, max_capacity: 2, target_utilization: 95}\n"
    )
    assert "at least min_capacity" in found["autoscaling.max_capacity"]
    assert "20 to 90" in found["autoscaling.target_utilization"]


@pytest.mark.parametrize("days", [0, 36, 99])
def test_pitr_window_1_to_35(days: int) -> None:
    found = problems(
        MINIMAL + f"point_in_time_recovery: {{enabled: true, recovery_period_in_days: {days}}}\n"
    )
    assert "1 to 35" in found["point_in_time_recovery.recovery_period_in_days"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "3 to 255"),
        ("x" * 256, "3 to 255"),
        ("orders table", "may contain only"),
        ("orders/2024", "may contain only"),
    ],
)
def test_table_name_rules(name: str, message: str) -> None:
    found = problems(MINIMAL.replace("orders", repr(name)))
    assert message in found["table_name"]


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        "table_name: x\n"  # 1: too short
        "attributes: {pk: Q}\n"  # 2: bad type
        "hash_key: pk\n"
        "billing_mode: PROVISIONED\n"  # capacity missing
        "encryption: {type: KMS, kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:alias/a'}\n"
        "point_in_time_recovery: {recovery_period_in_days: 40}\n"
        "global_indexes: [{name: g, hash_key: pk}, {name: g, hash_key: pk}]\n"
        "stream: {view_type: EVERYTHING}\n"
        "tags: {'aws:owner': x}\n"
        "replicas: [us-east-1]\n"
        "colour: blue\n"
    )
    with pytest.raises(SchemaError) as caught:
        spec(text)
    fields = [p.field for p in caught.value.problems]
    for expected in (
        "table_name",
        "attributes.pk",
        "capacity",
        "encryption.kms_key_arn",
        "point_in_time_recovery.recovery_period_in_days",
        "global_indexes[0].name",
        "global_indexes[1].name",
        "stream.view_type",
        "tags.aws:owner",
        "replicas[0].region",
        "colour",
    ):
        assert any(f == expected for f in fields), (expected, fields)
    message = str(caught.value)
    assert "t.yaml:1: table_name" in message
    assert "t.yaml:11: colour: unknown field" in message
    assert caught.value.exit_code == 2


def test_required_tags_need_values_unless_ddb017_is_off() -> None:
    baseline = Baseline(required_tags=("owner",))
    found = problems(MINIMAL, SpecDefaults(region="us-east-1", baseline=baseline))
    assert "--tag owner=VALUE" in found["tags.owner"]
    tagged = spec(MINIMAL, SpecDefaults(region="us-east-1", baseline=baseline, tags={"owner": "a"}))
    assert tagged.tags == {"owner": "a"}
    off = SpecDefaults(region="us-east-1", baseline=baseline, enforce_required_tags=False)
    assert spec(MINIMAL, off).tags == {}


def test_global_table_rules() -> None:
    found = problems(
        MINIMAL + f"encryption: {{kms_key_arn: '{KEY}'}}\n"
        "stream: {view_type: KEYS_ONLY}\n"
        "replicas: [{region: us-west-2}, {region: us-west-2, kms_key_arn: '" + KEY + "'}]\n"
    )
    assert "needs a customer key in that region" in found["replicas[0].kms_key_arn"]
    assert "regional" in found["replicas[1].kms_key_arn"]
    assert "listed twice" in found["replicas[1].region"]
    assert "NEW_AND_OLD_IMAGES" in found["stream.view_type"]


def test_multi_region_key_supplies_the_replica_key_and_the_stream() -> None:
    mrk = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    s = spec(MINIMAL + f"encryption: {{kms_key_arn: '{mrk}'}}\nreplicas: [us-west-2]\n")
    assert s.replicas[0].kms_key_arn == mrk.replace("us-east-1", "us-west-2")
    assert (s.stream.enabled, s.stream.view_type) == (True, "NEW_AND_OLD_IMAGES")


def test_ttl_attribute_must_be_a_number_and_policy_well_formed() -> None:
    found = problems(
        MINIMAL.replace("{pk: S}", "{pk: S}") + "ttl_attribute: pk\n"
        "resource_policy: {Statement: [{Effect: Maybe}]}\n"
    )
    assert "needs a Number" in found["ttl_attribute"]
    assert "Effect" in found["resource_policy.Statement[0]"]


def test_region_conflict_and_absence() -> None:
    assert "--region says" in problems(MINIMAL + "region: eu-west-1\n")["region"]
    assert "no region" in problems(MINIMAL, SpecDefaults())["region"]


def test_syntax_error_is_a_schema_error_with_line(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("table_name: a\nattributes: {pk: S\n")
    with pytest.raises(SchemaError) as caught:
        load_spec(schema=path, defaults=DEFAULTS)
    assert caught.value.problems[0].line is not None


def test_json_schema_is_accepted(tmp_path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"table_name": "orders", "attributes": {"pk": "S"}, "hash_key": "pk"}')
    assert load_spec(schema=path, defaults=DEFAULTS).table_name == "orders"


@pytest.mark.parametrize("preset", ["approvals", "breakglass", "sessions"])
def test_presets_are_valid(preset: str) -> None:
    s = load_spec(
        preset=preset, defaults=SpecDefaults(region="us-east-1", table_name=f"p-{preset}")
    )
    assert s.ttl_attribute and s.stream.view_type == "NEW_AND_OLD_IMAGES"
    assert s.global_indexes
