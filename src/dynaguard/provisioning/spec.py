"""A validated table specification: what ``dynaguard provision`` creates. Frozen, no I/O.

Built only by :func:`dynaguard.provisioning.validate.build_spec`, which resolves every secure
default (KMS encryption, PITR window, deletion protection, autoscaling), so a ``TableSpec`` is
complete: renderers and the executor never apply defaults of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dynaguard.config import Baseline


class EncryptionType(StrEnum):
    """The three server-side encryption choices of DynamoDB.

    DEFAULT is the AWS owned key, KMS the AWS managed key ``aws/dynamodb``, CUSTOMER_KEY a
    customer managed KMS key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
    """

    DEFAULT = "DEFAULT"
    KMS = "KMS"
    CUSTOMER_KEY = "CUSTOMER_KEY"


PAY_PER_REQUEST = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"


@dataclass(frozen=True, slots=True)
class Capacity:
    read: int
    write: int


@dataclass(frozen=True, slots=True)
class Autoscaling:
    """Target-tracking auto scaling of one table or index (read and write alike)."""

    min_capacity: int
    max_capacity: int
    target_utilization: float


@dataclass(frozen=True, slots=True)
class Projection:
    type: str  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """A global (hash key of its own, capacity when provisioned) or local secondary index."""

    name: str
    hash_key: str
    range_key: str | None
    projection: Projection
    capacity: Capacity | None = None
    autoscaling: Autoscaling | None = None


@dataclass(frozen=True, slots=True)
class EncryptionSpec:
    type: EncryptionType
    kms_key_arn: str | None = None


@dataclass(frozen=True, slots=True)
class PitrSpec:
    enabled: bool
    recovery_period_in_days: int | None = None


@dataclass(frozen=True, slots=True)
class StreamSpec:
    enabled: bool
    view_type: str | None = None


@dataclass(frozen=True, slots=True)
class ReplicaSpec:
    region: str
    kms_key_arn: str | None = None


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table as it will be created, every default resolved."""

    table_name: str
    region: str
    attributes: Mapping[str, str]  # attribute name -> S | N | B (only key attributes)
    hash_key: str
    range_key: str | None
    billing_mode: str
    encryption: EncryptionSpec
    pitr: PitrSpec
    deletion_protection: bool
    stream: StreamSpec
    capacity: Capacity | None = None
    autoscaling: Autoscaling | None = None
    global_indexes: tuple[IndexSpec, ...] = ()
    local_indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    replicas: tuple[ReplicaSpec, ...] = ()
    resource_policy: Mapping[str, Any] | None = None
    table_class: str = "STANDARD"
    alarm_topic: str | None = None  # SNS topic for the DDB.018 throttling alarms (--alarm-topic)
    source: str = "<spec>"  # the schema file, or preset:NAME
    defaults_applied: tuple[str, ...] = ()  # what the schema left to dynaguard, for the plan

    @property
    def provisioned(self) -> bool:
        return self.billing_mode == PROVISIONED


TABLE_ARN_PLACEHOLDER = "${table_arn}"
"""Written in a resource policy where the table's ARN belongs; replaced once it is known."""


@dataclass(frozen=True, slots=True)
class SpecDefaults:
    """What fills the schema's silences: command-line values and the configured baseline."""

    region: str | None = None  # --region: the schema's region must agree with it
    # AWS_REGION / AWS_DEFAULT_REGION / the profile: used only when neither --region nor the
    # schema gives one
    fallback_region: str | None = None
    kms_key_arn: str | None = None  # --kms-key
    table_name: str | None = None  # --name (overrides the schema's table_name)
    tags: Mapping[str, str] = field(default_factory=dict)  # --tag KEY=VALUE
    baseline: Baseline = field(default_factory=Baseline)
    enforce_required_tags: bool = True  # False when DDB.017 is disabled in the config
    alarm_topic: str | None = None  # --alarm-topic: create the DDB.018 throttling alarms
