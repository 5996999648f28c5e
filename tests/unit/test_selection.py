"""One meaning for every filter: which kinds and names a Selection selects."""

from __future__ import annotations

import pytest

from dynaguard.config import Config
from dynaguard.engine import choose_controls
from dynaguard.errors import UsageError
from dynaguard.model import DaxCluster, Inventory, Known, RegionScope, SubjectKind
from dynaguard.remediation.selection import select_remediations
from dynaguard.selection import ALL_KINDS, Selection

K = SubjectKind


def test_no_filter_selects_everything() -> None:
    s = Selection()
    assert s.everything and s.kinds() == ALL_KINDS
    assert all(s.selects(k, "anything") for k in ALL_KINDS)
    assert s.describe() == "every resource"


def test_table_filters_select_tables_only() -> None:
    s = Selection.of(prefix="sentinel-")
    assert s.kinds() == {K.TABLE}
    assert s.selects("table", "sentinel-a") and not s.selects("table", "orders")
    for kind in ("dax_cluster", "vpc", "iam_policy", "kms_key"):
        assert not s.covers(kind) and not s.selects(kind, "x")
    # what harden creates for a table is in scope of the table
    assert s.selects("new_kms_key", "alias/dynaguard-cmk")
    assert s.selects("backup_plan", "dynaguard-daily")


def test_all_table_filters_must_match() -> None:
    s = Selection.of(prefix="ord", match=r"-archive$", tables=["orders-archive", "x-archive"])
    assert s.selects("table", "orders-archive")
    assert not s.selects("table", "x-archive")  # not the prefix
    assert not s.selects("table", "orders")


def test_dax_by_name_and_whole_kinds_by_include() -> None:
    s = Selection.of(dax_clusters=["dax-a"])
    assert s.kinds() == {K.DAX_CLUSTER}
    assert s.selects("dax_cluster", "dax-a") and not s.selects("dax_cluster", "dax-b")
    assert not s.covers("table") and not s.selects("new_kms_key", "alias/x")
    s = Selection.of(tables=["orders"], include=["dax,iam", "kms"])
    assert s.kinds() == {K.TABLE, K.DAX_CLUSTER, K.IAM_POLICY, K.KMS_KEY}
    assert s.selects("dax_cluster", "dax-b") and not s.covers("vpc")
    assert s.selects("table", "orders") and not s.selects("table", "payments")


def test_all_kinds_keeps_the_table_filters() -> None:
    s = Selection.of(prefix="app-", all_kinds=True)
    assert s.kinds() == ALL_KINDS
    assert s.selects("vpc", "vpc-1") and s.selects("dax_cluster", "d")
    assert not s.selects("table", "orders") and s.selects("table", "app-orders")
    assert Selection.of(include=["all"]).kinds() == ALL_KINDS


def test_bad_words_and_expressions_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="'daxx': not a resource kind"):
        Selection.of(include=["daxx"])
    with pytest.raises(UsageError, match="invalid table name expression"):
        Selection.of(match="(")
    with pytest.raises(UsageError, match="empty resource name"):
        Selection.of(tables=[" "])


def test_narrow_keeps_only_the_named_clusters() -> None:
    clusters = tuple(DaxCluster(n, "1", "us-east-1") for n in ("dax-a", "dax-b"))
    inventory = Inventory(
        "aws", regions=(RegionScope("1", "us-east-1", dax_clusters=Known(clusters)),)
    )
    narrowed = Selection.of(dax_clusters=["dax-b"]).narrow(inventory)
    kept = narrowed.regions[0].dax_clusters
    assert isinstance(kept, Known) and [c.name for c in kept.value] == ["dax-b"]
    assert Selection.of(dax_clusters=["dax-c"]).missing_dax_clusters(inventory) == ["dax-c"]
    assert Selection.of(include=["dax"]).narrow(inventory) is inventory


def test_controls_and_remediations_follow_the_selection() -> None:
    tables_only = Selection.of(tables=["orders"])
    kinds = {c.subject_kind for c in choose_controls(Config(), selection=tables_only)}
    assert kinds == {"table"}
    with pytest.raises(UsageError, match=r"DDB.009 judges DAX clusters.*--dax-cluster NAME"):
        choose_controls(Config(), ["DDB.009"], tables_only)
    rems = select_remediations(Config(), selection=Selection.of(dax_clusters=["d"]))
    assert {r.subject for r in rems} == {"dax_cluster"}
    with pytest.raises(UsageError, match=r"DDB.016 judges KMS keys.*--include kms"):
        select_remediations(Config(), only=["DDB.016"], selection=tables_only)
