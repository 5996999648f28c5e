"""The harden plan says which FAILs it leaves alone because their fix is opt-in (QA F15):
DDB.006 / DDB.013 / DDB.015 are fixed only when named (``--only``, ``harden.opt_in``), and a
plan that leaves them out lists them as "not fixed (opt-in: ...)", never silently."""

from __future__ import annotations

import json

from dynaguard.cli.main import run
from tests.remediation.conftest import write_demo_config


def _harden(fleet, tmp_path, capsys, *extra: str) -> tuple[int, str]:
    config = write_demo_config(tmp_path / "c.yaml")
    code = run(
        [
            "harden", "--endpoint-url", fleet.url, "--region", "us-east-1",
            "--prefix", "sentinel-", "--dry-run", "--config", config,
            "--state-dir", str(tmp_path / "st"), *extra,
        ]
    )  # fmt: skip
    return code, capsys.readouterr().out


def test_opt_in_fails_are_listed_in_the_plan(fleet, tmp_path, capsys) -> None:
    code, out = _harden(fleet, tmp_path, capsys, "--format", "json")
    assert code == 0
    result = json.loads(out)
    listed = {(e["control_id"], e["resource"]["name"]) for e in result["plan"]["opt_in_not_fixed"]}
    # the scan FAILs sentinel-sessions on DDB.006 (stream policy) and the tables on DDB.013
    assert ("DDB.006", "sentinel-sessions") in listed
    assert {c for c, _ in listed} >= {"DDB.006", "DDB.013"}
    assert all(name.startswith("sentinel-") for _, name in listed)  # the selection only
    assert result["summary"]["opt_in_not_fixed"] == len(result["plan"]["opt_in_not_fixed"])
    entry = result["plan"]["opt_in_not_fixed"][0]
    assert entry["reason"] and entry["enable_with"].startswith(f"--only {entry['control_id']}")
    planned = {c["control_id"] for c in result["plan"]["changes"]}
    assert not planned & {"DDB.006", "DDB.013", "DDB.015"}

    code, text = _harden(fleet, tmp_path, capsys)
    assert "not fixed (opt-in: enable with --only DDB.006, DDB.013" in text
    assert "- DDB.006 table sentinel-sessions: " in text


def test_nothing_listed_when_the_user_chose(fleet, tmp_path, capsys) -> None:
    _, out = _harden(fleet, tmp_path, capsys, "--format", "json", "--only", "DDB.003")
    assert json.loads(out)["plan"]["opt_in_not_fixed"] == []
    _, out = _harden(fleet, tmp_path, capsys, "--format", "json", "--skip", "DDB.006,DDB.013")
    assert json.loads(out)["plan"]["opt_in_not_fixed"] == []
    _, text = _harden(fleet, tmp_path, capsys, "--only", "DDB.013")
    assert "not fixed (opt-in" not in text and "DDB.013" in text
