"""AWS's own values and name formats that every part of dynaguard shares, defined once.

Sources apply the defaults, the configuration and the provision schema validate against the
bounds and formats, controls and fixes quote them.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_StreamSpecification.html
https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")

# Point-in-time recovery: RecoveryPeriodInDays is 1 to 35; an enabled PITR without one has 35.
PITR_MIN_DAYS, PITR_MAX_DAYS = 1, 35
DEFAULT_PITR_DAYS = 35

# Target tracking for DynamoDB: TargetValue 20 to 90 (percent utilisation).
TARGET_MIN, TARGET_MAX = 20.0, 90.0

_REGION = r"[a-z]{2}(-[a-z]+)+-\d+"
REGION_NAME = re.compile(rf"^{_REGION}\Z")
# A region name, or ``*`` for every region (keys of the config's per-region mappings).
REGION_OR_ANY = re.compile(rf"^(?:{_REGION}|\*)\Z")
ACCOUNT_ID = re.compile(r"^\d{12}$")
IAM_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/")
# arn:PARTITION:kms:REGION:ACCOUNT:key/ID or :alias/NAME
KMS_ARN = re.compile(
    rf"^arn:(?P<partition>aws[a-z-]*):kms:(?P<region>{_REGION}):"
    r"(?P<account>\d{12}):(?P<kind>key|alias)/(?P<name>[a-zA-Z0-9:/_+=,.@-]+)$"
)
KEY_ID = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)


@dataclass(frozen=True, slots=True)
class KmsArn:
    partition: str
    region: str
    account: str
    kind: str  # key | alias
    name: str


def parse_kms_arn(value: str) -> KmsArn | None:
    """A KMS key ARN or alias ARN, split; None when it is not one."""
    match = KMS_ARN.match(value)
    if match is None:
        return None
    parsed = KmsArn(
        match["partition"], match["region"], match["account"], match["kind"], match["name"]
    )
    if parsed.kind == "key" and not KEY_ID.match(parsed.name):
        return None
    return parsed


def alias_entries(values: tuple[str, ...] | list[str]) -> tuple[KmsArn, ...]:
    """The alias ARNs among ``values`` (e.g. ``baseline.allowed_kms_keys``), parsed."""
    parsed = (parse_kms_arn(v) for v in values)
    return tuple(p for p in parsed if p is not None and p.kind == "alias")


def is_kms_key_ref(value: str) -> bool:
    """A key id, key ARN, alias name or alias ARN, as UpdateTable's KMSMasterKeyId accepts."""
    if value.startswith("alias/"):
        return len(value) > len("alias/")
    if value.startswith("arn:aws") and ":kms:" in value:
        return ":key/" in value or ":alias/" in value
    return re.fullmatch(r"[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32}", value) is not None
