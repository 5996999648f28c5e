"""One selection spelled two ways is one history scope (QA F19): ``diff`` and ``--since-last``
compare runs by scope, so the scope is normalised (split, de-duplicated, sorted) before it is
keyed."""

from __future__ import annotations

import pytest

from dynaguard.cli.iac import iac_scope
from dynaguard.cli.main import build_parser
from dynaguard.cli.scan_run import scan_scope
from dynaguard.report import Report
from dynaguard.selection import Selection

BASE = ["scan", "--region", "us-east-1"]


def scope_key(*argv: str) -> str:
    args = build_parser("scan").parse_args([*BASE, *argv])
    return Report(run_id="r", source="aws", findings=(), scope=scan_scope(args)).scope_key()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (["--include", "table,iam"], ["--include", "iam,table"]),
        (["--include", "table,iam"], ["--include", "iam", "--include", "table"]),
        (["--include", "table,iam"], ["--include", "tables, iam,table", "--include", "IAM"]),
        (["--all"], ["--include", "table,dax,iam,vpc,kms"]),
        (["--all"], ["--all", "--include", "dax"]),
        (["--table", "a", "--table", "b"], ["--table", "b", "--table", "a", "--table", "a"]),
        (
            ["--dax-cluster", "x", "--dax-cluster", "y"],
            ["--dax-cluster", "y", "--dax-cluster", "x"],
        ),
        (["--controls", "DDB.002,DDB.003"], ["--controls", "ddb.003, DDB.002,DDB.003"]),
        (["--region", "eu-west-1"], ["--region", "eu-west-1", "--region", "us-east-1"]),
        (
            ["--accounts", "111122223333,444455556666"],
            ["--accounts", "444455556666, 111122223333,444455556666"],
        ),
        (["--org", "--ou", "ou-b,ou-a"], ["--org", "--ou", "ou-a,ou-b"]),
    ],
)
def test_same_selection_same_scope(one: list[str], other: list[str]) -> None:
    assert scope_key(*one) == scope_key(*other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (["--include", "table"], ["--include", "iam"]),
        (["--include", "table"], []),  # no filter: everything, not only tables
        (["--table", "a"], ["--table", "a", "--table", "b"]),
        (["--controls", "DDB.002"], []),
    ],
)
def test_other_selection_other_scope(one: list[str], other: list[str]) -> None:
    assert scope_key(*one) != scope_key(*other)


def test_iac_paths_spelled_differently_are_one_scope(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(str(tmp_path))
    parser = build_parser("iac")
    a = iac_scope(parser.parse_args(["iac", "infra", "./infra/", "--controls", "DDB.002"]))
    b = iac_scope(parser.parse_args(["iac", "infra", "--controls", "ddb.002,DDB.002"]))
    assert a == b


def test_selection_data_is_ordered() -> None:
    one = Selection.of(tables=["b", "a"], dax_clusters=["y", "x"], include=["kms,iam"])
    other = Selection.of(tables=["a", "b", "a"], dax_clusters=["x", "y"], include=["iam", "kms"])
    assert one.to_dict() == other.to_dict()
