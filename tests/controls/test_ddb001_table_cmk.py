"""DDB.001: customer managed key, and never the AWS managed key mistaken for one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dynaguard.controls.base import Context
from dynaguard.model import Fact, KmsKey, Known, Status, Unknown

from .builders import (
    AWS_MANAGED_ARN,
    CMK_ARN,
    DENIED,
    aws_managed_key,
    cmk,
    ctx,
    encryption,
    one,
    scope,
    status,
    table,
)

ID = "DDB.001"


def with_key(key_ref: str, key: Fact[KmsKey]) -> Context:
    return ctx(scope(kms_keys={key_ref: key}))


def test_enabled_customer_key_passes() -> None:
    v = one(ID, table())
    assert v.status is Status.PASS
    assert CMK_ARN in v.reason


def test_aws_owned_key_fails() -> None:
    v = one(ID, table(encryption=Known(encryption(None, kms=False))))
    assert v.status is Status.FAIL
    assert "AWS owned key" in v.reason


def test_aws_owned_key_fails_even_when_aws_managed_is_accepted() -> None:
    t = table(encryption=Known(encryption(None, kms=False)))
    assert status(ID, t, ctx(encryption="kms")) is Status.FAIL


@pytest.mark.parametrize(
    "key_ref",
    [None, "alias/aws/dynamodb", "arn:aws:kms:eu-west-1:111122223333:alias/aws/dynamodb"],
)
def test_aws_managed_key_by_reference_fails_under_cmk(key_ref: str | None) -> None:
    v = one(ID, table(encryption=Known(encryption(key_ref))))
    assert v.status is Status.FAIL
    assert "AWS managed key" in v.reason


@pytest.mark.parametrize("key_ref", [None, "alias/aws/dynamodb"])
def test_aws_managed_key_passes_when_baseline_accepts_kms(key_ref: str | None) -> None:
    assert status(ID, table(encryption=Known(encryption(key_ref))), ctx(encryption="kms")) is (
        Status.PASS
    )


def test_key_arn_that_describes_as_aws_managed_is_not_a_cmk() -> None:
    """The peers' defect: SSEType=KMS with a key ARN taken as proof of a customer key."""
    t = table(encryption=Known(encryption(AWS_MANAGED_ARN)))
    context = with_key(AWS_MANAGED_ARN, Known(aws_managed_key()))
    v = one(ID, t, context)
    assert v.status is Status.FAIL
    assert "AWS managed key" in v.reason
    assert status(
        ID, t, replace(context, baseline=replace(context.baseline, encryption="kms"))
    ) is (Status.PASS)


@pytest.mark.parametrize("state", ["Disabled", "PendingDeletion"])
def test_unusable_customer_key_fails(state: str) -> None:
    v = one(ID, table(), with_key(CMK_ARN, Known(cmk(state=state))))
    assert v.status is Status.FAIL
    assert state in v.reason


def test_key_state_not_reported_is_unknown() -> None:
    assert status(ID, table(), with_key(CMK_ARN, Known(cmk(state=None)))) is Status.UNKNOWN


def test_key_not_described_is_unknown() -> None:
    v = one(ID, table(), ctx(scope(kms_keys={})))
    assert v.status is Status.UNKNOWN
    assert "not described" in v.reason


def test_key_describe_denied_is_unknown_with_reason() -> None:
    v = one(ID, table(), with_key(CMK_ARN, DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_encryption_unknown_is_unknown_with_reason() -> None:
    v = one(ID, table(encryption=Unknown("var.sse_enabled is not resolvable")))
    assert v.status is Status.UNKNOWN
    assert "var.sse_enabled is not resolvable" in v.reason


@pytest.mark.parametrize("sse_status", ["UPDATING", "ENABLING"])
def test_sse_in_transition_is_unknown(sse_status: str) -> None:
    v = one(ID, table(encryption=Known(encryption(status=sse_status))))
    assert v.status is Status.UNKNOWN
    assert sse_status in v.reason


def test_inaccessible_key_fails() -> None:
    t = table(encryption=Known(encryption(status="INACCESSIBLE_ENCRYPTION_CREDENTIALS")))
    assert status(ID, t) is Status.FAIL


def test_allow_list_accepts_listed_key() -> None:
    assert status(ID, table(), ctx(allowed_kms_keys=(CMK_ARN,))) is Status.PASS


def test_allow_list_rejects_other_customer_key() -> None:
    other = "arn:aws:kms:eu-west-1:111122223333:key/ffffffff-0000-0000-0000-000000000000"
    v = one(ID, table(), ctx(allowed_kms_keys=(other,)))
    assert v.status is Status.FAIL
    assert "allowed_kms_keys" in v.reason


def test_allow_list_key_resolved_through_alias() -> None:
    t = table(encryption=Known(encryption("alias/orders")))
    context = ctx(scope(kms_keys={"alias/orders": Known(cmk(key_ref="alias/orders"))}))
    context = replace(context, baseline=replace(context.baseline, allowed_kms_keys=(CMK_ARN,)))
    assert status(ID, t, context) is Status.PASS


def test_allow_list_with_unknown_key_arn_is_unknown() -> None:
    t = table(encryption=Known(encryption("alias/orders")))
    context = ctx(scope(kms_keys={"alias/orders": Known(cmk(key_ref="alias/orders", arn=None))}))
    context = replace(context, baseline=replace(context.baseline, allowed_kms_keys=(CMK_ARN,)))
    assert status(ID, t, context) is Status.UNKNOWN
