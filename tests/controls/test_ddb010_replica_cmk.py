"""DDB.010: every replica on a customer key, one verdict per replica (never only the first)."""

from __future__ import annotations

from dynaguard.config import Config
from dynaguard.controls.base import Context
from dynaguard.controls.registry import get_control
from dynaguard.evaluate import evaluate
from dynaguard.model import AccountScope, Inventory, Known, Replica, Status, Table

from .builders import (
    ACCOUNT,
    AWS_MANAGED_ARN,
    CMK_ARN,
    DENIED,
    aws_managed_key,
    cmk,
    ctx,
    encryption,
    replica,
    run,
    scope,
    table,
)

ID = "DDB.010"
US_KEY = CMK_ARN.replace("eu-west-1", "us-east-1")
AP_KEY = CMK_ARN.replace("eu-west-1", "ap-southeast-2")


def keys_ctx() -> Context:
    return ctx(
        scope(
            kms_keys={
                US_KEY: Known(cmk(arn=US_KEY)),
                AP_KEY: Known(cmk(arn=AP_KEY)),
                AWS_MANAGED_ARN: Known(aws_managed_key()),
            }
        )
    )


def global_table(*replicas: Replica) -> Table:
    return table(replicas=Known(tuple(replicas)))


def test_not_a_global_table_is_not_applicable() -> None:
    [v] = run(ID, table())
    assert v.status is Status.NOT_APPLICABLE
    assert v.subject is None


def test_replicas_unknown_is_unknown_with_reason() -> None:
    [v] = run(ID, table(replicas=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_every_replica_gets_its_own_verdict_and_subject() -> None:
    t = global_table(
        replica("us-east-1", encryption=Known(encryption(US_KEY))),
        replica("ap-southeast-2", encryption=Known(encryption(AP_KEY))),
    )
    verdicts = run(ID, t, keys_ctx())
    assert [v.status for v in verdicts] == [Status.PASS, Status.PASS]
    subjects = [v.subject for v in verdicts]
    assert all(s is not None and s.resource_type == "replica" for s in subjects)
    assert [s.region for s in subjects if s] == ["us-east-1", "ap-southeast-2"]
    assert all(s.resource_id == "orders" and s.account_id == ACCOUNT for s in subjects if s)
    assert subjects[1] is not None and subjects[1].arn and "ap-southeast-2" in subjects[1].arn


def test_a_bad_replica_after_the_first_fails() -> None:
    """The peers' defect: only the first replica was read."""
    t = global_table(
        replica("us-east-1", encryption=Known(encryption(US_KEY))),
        replica("ap-southeast-2", encryption=Known(encryption(None, kms=False))),
    )
    statuses = [v.status for v in run(ID, t, keys_ctx())]
    assert statuses == [Status.PASS, Status.FAIL]


def test_replica_on_aws_managed_key_fails() -> None:
    t = global_table(replica("us-east-1", encryption=Known(encryption(AWS_MANAGED_ARN))))
    [v] = run(ID, t, keys_ctx())
    assert v.status is Status.FAIL
    assert "AWS managed key" in v.reason
    assert "us-east-1" in v.reason


def test_replica_encryption_unknown_is_unknown_for_that_replica_only() -> None:
    t = global_table(
        replica("us-east-1", encryption=DENIED),
        replica("ap-southeast-2", encryption=Known(encryption(AP_KEY))),
    )
    statuses = [v.status for v in run(ID, t, keys_ctx())]
    assert statuses == [Status.UNKNOWN, Status.PASS]


def test_replica_key_not_described_is_unknown() -> None:
    t = global_table(replica("us-east-1", encryption=Known(encryption(US_KEY))))
    [v] = run(ID, t, ctx(scope(kms_keys={})))
    assert v.status is Status.UNKNOWN


def test_findings_carry_replica_identity_through_the_evaluator() -> None:
    t = global_table(
        replica("us-east-1", encryption=Known(encryption(US_KEY))),
        replica("ap-southeast-2", encryption=Known(encryption(None, kms=False))),
    )
    region = scope(
        tables=Known((t,)),
        kms_keys={US_KEY: Known(cmk(arn=US_KEY)), CMK_ARN: Known(cmk())},
    )
    inventory = Inventory("aws", (region,), (AccountScope(ACCOUNT),))
    findings, _ = evaluate(inventory, [get_control(ID)], Config())
    got = {(f.resource_type, f.region, f.status) for f in findings}
    assert got == {
        ("replica", "us-east-1", Status.PASS),
        ("replica", "ap-southeast-2", Status.FAIL),
    }
    failing = [f for f in findings if f.status is Status.FAIL]
    assert failing[0].remediation  # the control's hint accompanies a FAIL
