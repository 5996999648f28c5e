"""Small pure pieces: selection, placeholders, DAX zone spreading, journal reading."""

from __future__ import annotations

import pytest

from dynaguard.config_load import parse_config
from dynaguard.errors import UsageError
from dynaguard.remediation.base import ApiStep, Change, ResourceRef
from dynaguard.remediation.fixes.dax_clusters import new_node_zones
from dynaguard.remediation.journal import Journal, list_runs, load_run
from dynaguard.remediation.selection import select_remediations
from dynaguard.remediation.steps import fill
from dynaguard.remediation.undo import plan_undo


def ids(rems):
    return [r.control_id for r in rems]


def test_default_selection_leaves_opt_ins_out():
    chosen = ids(select_remediations(parse_config({})))
    assert "DDB.013" not in chosen and "DDB.006" not in chosen and "DDB.015" not in chosen
    assert {"DDB.001", "DDB.002", "DDB.014", "DDB.007"} <= set(chosen)


def test_config_opt_in_only_skip_and_shortcuts():
    cfg = parse_config(
        {"harden": {"opt_in": ["DDB.013"]}, "controls": {"DDB.004": {"enabled": False}}}
    )
    chosen = ids(select_remediations(cfg, shortcuts=["no_pitr", "no_encryption"], skip=["DDB.017"]))
    assert "DDB.013" in chosen and "DDB.004" not in chosen
    assert not {"DDB.001", "DDB.002", "DDB.010", "DDB.011", "DDB.017"} & set(chosen)
    assert ids(select_remediations(cfg, only=["ddb.015,DDB.003"])) == ["DDB.003", "DDB.015"]
    with pytest.raises(UsageError, match="unknown control"):
        select_remediations(cfg, only=["DDB.099"])
    with pytest.raises(UsageError, match="nothing to harden"):
        select_remediations(cfg, only=["DDB.003"], shortcuts=["no_deletion_protection"])


def test_placeholders_are_filled_from_outputs():
    params = {"KeyId": "{{KeyId}}", "Ids": ["{{A}}"], "Text": "x-{{A}}"}
    assert fill(params, {"KeyId": "k", "A": 1}) == {"KeyId": "k", "Ids": [1], "Text": "x-1"}


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        (["a"], ["b", "c"]),  # one node: two more, in new zones
        (["a", "a", "a"], ["b"]),  # three stacked nodes: one more zone is enough
        (["a", "b", "c"], []),
    ],
)
def test_new_dax_nodes_go_to_unused_zones(used, expected):
    assert new_node_zones(used, ["a", "b", "c"], min_nodes=3, min_azs=2) == expected


def _change(n: int) -> Change:
    ref = ResourceRef("table", f"t{n}", "us-east-1", "123456789012")
    step = ApiStep(
        "dynamodb:UpdateTable",
        "us-east-1",
        {"TableName": f"t{n}", "DeletionProtectionEnabled": True},
    )
    undo = ApiStep(
        "dynamodb:UpdateTable",
        "us-east-1",
        {"TableName": f"t{n}", "DeletionProtectionEnabled": False},
    )
    return Change("DDB.003", ref, "off", "on", (step,), (undo,))


def test_journal_survives_a_cut_line_and_undo_takes_only_verified_changes(tmp_path):
    journal = Journal(tmp_path, "run-1")
    journal.start("harden")
    first, second = _change(1), _change(2)
    journal.pending(first)
    journal.done(first, {})
    journal.pending(second)
    with journal.path.open("a") as handle:
        handle.write('{"event": "done", "change_')  # killed mid-write
    record = load_run(tmp_path, "run-1")
    assert [e.status for e in record.entries] == ["done", "pending"]
    assert not record.finished
    undo = plan_undo(record)
    assert [c.resource.name for c in undo.changes] == ["t1"]
    assert undo.changes[0].steps[0].params["DeletionProtectionEnabled"] is False
    assert undo.weakening == {undo.changes[0].change_id}
    assert any("t2" in n and "pending" in n for n in undo.not_undone)
    assert [r.run_id for r in list_runs(tmp_path)] == ["run-1"]
    with pytest.raises(UsageError, match="no run"):
        load_run(tmp_path, "nope")


def test_change_ids_are_stable():
    assert _change(1).change_id == _change(1).change_id != _change(2).change_id
