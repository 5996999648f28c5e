"""DDB.016: customer keys used by tables rotate and are enabled."""

from __future__ import annotations

from dynaguard.controls.subjects import KeyUse
from dynaguard.model import Fact, KmsKey, Known, Status, Unknown

from .builders import ACCOUNT, CMK_ARN, DENIED, REGION, aws_managed_key, cmk, one, status

ID = "DDB.016"


def use(key: Fact[KmsKey], ref: str = CMK_ARN) -> KeyUse:
    return KeyUse(ref, key, ("orders", "orders@us-east-1"), ACCOUNT, REGION)


def test_enabled_rotating_key_passes() -> None:
    assert status(ID, use(Known(cmk()))) is Status.PASS


def test_rotation_disabled_fails_naming_users() -> None:
    v = one(ID, use(Known(cmk(rotation_enabled=Known(False)))))
    assert v.status is Status.FAIL
    assert "rotation" in v.reason and "orders@us-east-1" in v.reason


def test_disabled_key_fails() -> None:
    assert status(ID, use(Known(cmk(state="Disabled")))) is Status.FAIL


def test_pending_deletion_fails_even_if_rotation_unknown() -> None:
    key = cmk(state="PendingDeletion", rotation_enabled=DENIED)
    assert status(ID, use(Known(key))) is Status.FAIL


def test_rotation_unknown_is_unknown_with_reason() -> None:
    v = one(ID, use(Known(cmk(rotation_enabled=DENIED))))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_key_state_unknown_is_unknown() -> None:
    assert status(ID, use(Known(cmk(state=None)))) is Status.UNKNOWN


def test_key_not_described_is_unknown_with_reason() -> None:
    v = one(ID, use(Unknown("kms:DescribeKey denied")))
    assert v.status is Status.UNKNOWN
    assert "kms:DescribeKey denied" in v.reason


def test_aws_managed_key_is_not_applicable() -> None:
    assert status(ID, use(Known(aws_managed_key()))) is Status.NOT_APPLICABLE


def test_aws_managed_alias_is_not_applicable_even_undescribed() -> None:
    assert status(ID, use(DENIED, ref="alias/aws/dynamodb")) is Status.NOT_APPLICABLE
