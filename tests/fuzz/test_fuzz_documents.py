"""Fuzz the config and provision-schema readers: any document, any bytes, gives a Config /
TableSpec or one ConfigError / SchemaError whose lines are bounded and printable; never
another exception."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from dynaguard.config import Config
from dynaguard.config_load import load_config
from dynaguard.errors import ConfigError
from dynaguard.provisioning import SchemaError, SpecDefaults, TableSpec, load_spec
from tests.fuzz.strategies import FUZZ, RAW, byte_mutations, documents, tree_mutations

CONFIG_KEYS = [
    "baseline", "controls", "suppressions", "harden", "encryption", "allowed_kms_keys",
    "pitr_min_days", "trusted_accounts", "trusted_org_ids", "stream_view_types",
    "required_tags", "autoscaling", "target_utilization", "min_target", "max_target",
    "min_capacity", "max_capacity", "dax_min_azs", "dax_min_nodes", "DDB.002", "DDB.013",
    "enabled", "severity", "control", "resources", "reason", "expires", "kms_key",
    "ttl_attributes", "default_tags", "backup_tag", "backup_plan", "plan", "iam_role_arn",
    "retention_days", "vault", "max_capacity_multiple", "pitr_days", "opt_in", "*", "us-east-1",
]  # fmt: skip
CONFIG_VALUES = [
    "cmk", "kms", "high", "DDB.002", "NEW_AND_OLD_IMAGES", "444455556666", "2027-01-01",
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/x",
    "arn:aws:iam::111122223333:role/r", "DDB.013", "orders-*",
]  # fmt: skip
SCHEMA_KEYS = [
    "table_name", "region", "attributes", "hash_key", "range_key", "billing_mode", "capacity",
    "autoscaling", "global_indexes", "local_indexes", "ttl_attribute", "stream", "encryption",
    "point_in_time_recovery", "deletion_protection", "tags", "replicas", "resource_policy",
    "table_class", "read", "write", "name", "projection", "type", "non_key_attributes",
    "enabled", "view_type", "kms_key_arn", "recovery_period_in_days", "min_capacity",
    "max_capacity", "target_utilization", "pk", "sk", "Statement", "Effect", "Principal",
]  # fmt: skip
SCHEMA_VALUES = [
    "orders", "pk", "sk", "S", "N", "B", "PROVISIONED", "PAY_PER_REQUEST", "ALL", "INCLUDE",
    "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "CUSTOMER_KEY", "KMS", "DEFAULT", "us-east-1",
    "us-west-2", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "Allow", "STANDARD",
]  # fmt: skip
VALID_CONFIG = b"""baseline:
  encryption: kms
  pitr_min_days: 14
  required_tags: [owner]
  autoscaling: {target_utilization: 60}
controls:
  DDB.013: {enabled: false}
suppressions:
  - {control: DDB.014, resources: ["sentinel-*"], reason: "no expiry", expires: 2027-01-01}
harden: {pitr_days: 21, opt_in: [DDB.013]}
"""
VALID_SCHEMA = b"""table_name: orders
attributes: {pk: S, sk: S, status: S}
hash_key: pk
range_key: sk
billing_mode: PROVISIONED
capacity: {read: 5, write: 5}
global_indexes:
  - {name: by-status, hash_key: status, projection: ALL, capacity: {read: 1, write: 1}}
stream: {enabled: true, view_type: NEW_AND_OLD_IMAGES}
point_in_time_recovery: {enabled: true, recovery_period_in_days: 35}
tags: {owner: payments}
"""
MAX_LINE = 1200  # a problem line: file, line, key path, message (values are cut)


def in_file(data: bytes, suffix: str) -> str:
    handle, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return path


def assert_bounded(message: str) -> None:
    for line in message.splitlines():
        assert len(line) <= MAX_LINE, line[:200]
        assert RAW.search(line) is None, repr(line[:200])


def config_outcome(data: bytes) -> Any:
    path = in_file(data, ".yaml")
    try:
        return load_config(path)
    except ConfigError as err:
        assert_bounded(str(err))
        return err
    finally:
        os.unlink(path)


def schema_outcome(data: bytes) -> Any:
    path = in_file(data, ".yaml")
    try:
        return load_spec(schema=path, defaults=SpecDefaults(region="us-east-1"))
    except SchemaError as err:
        assert_bounded(str(err))
        assert err.problems
        return err
    finally:
        os.unlink(path)


def dump(document: Any) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass")


def test_seeds_are_valid() -> None:
    assert isinstance(config_outcome(VALID_CONFIG), Config)
    assert isinstance(schema_outcome(VALID_SCHEMA), TableSpec)


@FUZZ
@given(documents(CONFIG_KEYS, CONFIG_VALUES))
def test_any_config_document(document: Any) -> None:
    assert isinstance(config_outcome(dump(document)), Config | ConfigError)


@FUZZ
@given(st.dictionaries(st.sampled_from(CONFIG_KEYS[:4]), documents(CONFIG_KEYS, CONFIG_VALUES)))
def test_any_config_sections(document: Any) -> None:
    assert isinstance(config_outcome(dump(document)), Config | ConfigError)


@FUZZ
@given(tree_mutations(yaml.safe_load(VALID_CONFIG), documents(CONFIG_KEYS, CONFIG_VALUES)))
def test_near_valid_configs(document: Any) -> None:
    assert isinstance(config_outcome(dump(document)), Config | ConfigError)


@FUZZ
@given(tree_mutations(yaml.safe_load(VALID_SCHEMA), documents(SCHEMA_KEYS, SCHEMA_VALUES)))
def test_near_valid_schemas(document: Any) -> None:
    assert isinstance(schema_outcome(dump(document)), TableSpec | SchemaError)


@FUZZ
@given(byte_mutations(VALID_CONFIG))
def test_any_config_bytes(data: bytes) -> None:
    assert isinstance(config_outcome(data), Config | ConfigError)


@FUZZ
@given(st.dictionaries(st.sampled_from(SCHEMA_KEYS[:19]), documents(SCHEMA_KEYS, SCHEMA_VALUES)))
def test_any_schema_document(document: Any) -> None:
    assert isinstance(schema_outcome(dump(document)), TableSpec | SchemaError)


@FUZZ
@given(byte_mutations(VALID_SCHEMA))
def test_any_schema_bytes(data: bytes) -> None:
    assert isinstance(schema_outcome(data), TableSpec | SchemaError)
