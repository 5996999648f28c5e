"""DDB.011: PITR on every replica (a global table never passes by default)."""

from __future__ import annotations

from dynaguard.model import Known, Pitr, Replica, Status, Table

from .builders import DENIED, ctx, replica, run, table

ID = "DDB.011"


def global_table(*replicas: Replica) -> Table:
    return table(replicas=Known(tuple(replicas)))


def test_not_a_global_table_is_not_applicable() -> None:
    [v] = run(ID, table())
    assert v.status is Status.NOT_APPLICABLE


def test_replicas_unknown_is_unknown_with_reason() -> None:
    [v] = run(ID, table(replicas=DENIED))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason


def test_all_replicas_with_pitr_pass() -> None:
    verdicts = run(ID, global_table(replica("us-east-1"), replica("ap-southeast-2")))
    assert [v.status for v in verdicts] == [Status.PASS, Status.PASS]
    assert [v.subject.region for v in verdicts if v.subject] == ["us-east-1", "ap-southeast-2"]


def test_replica_without_pitr_fails_even_when_the_table_has_it() -> None:
    """The peers' defect: a global-table PITR check that always passed."""
    t = global_table(replica("us-east-1"), replica("ap-southeast-2", pitr=Known(Pitr(False))))
    verdicts = run(ID, t)
    assert [v.status for v in verdicts] == [Status.PASS, Status.FAIL]
    assert "ap-southeast-2" in verdicts[1].reason


def test_short_window_on_a_replica_fails() -> None:
    t = global_table(replica("us-east-1", pitr=Known(Pitr(True, 7))))
    [v] = run(ID, t)
    assert v.status is Status.FAIL
    assert "7 days" in v.reason
    [v] = run(ID, t, ctx(pitr_min_days=7))
    assert v.status is Status.PASS


def test_replica_pitr_unknown_is_unknown_with_reason() -> None:
    [v] = run(ID, global_table(replica("us-east-1", pitr=DENIED)))
    assert v.status is Status.UNKNOWN
    assert DENIED.reason in v.reason
