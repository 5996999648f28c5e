"""scan records its runs; history lists them; diff and --since-last say what changed."""

from __future__ import annotations

import json

import boto3

from dynaguard.cli.main import run


def scan(fleet, state, *extra):
    return run(
        [
            "scan",
            "--endpoint-url",
            fleet.url,
            "--region",
            "us-east-1",
            "--prefix",
            "sentinel-",
            "--controls",
            "DDB.002",
            "--state-dir",
            str(state),
            *extra,
        ]
    )


def test_history_diff_and_since_last(fleet, capsys, tmp_path):
    assert scan(fleet, tmp_path, "--format", "json") == 1
    capsys.readouterr()
    boto3.client("dynamodb", endpoint_url=fleet.url).update_continuous_backups(
        TableName="sentinel-breakglass",
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True,
            "RecoveryPeriodInDays": 35,
        },
    )
    scan(fleet, tmp_path, "--format", "json", "--since-last")
    out, err = capsys.readouterr()
    json.loads(out)  # the report alone on stdout
    assert "resolved (1):" in err and "sentinel-breakglass" in err

    assert run(["history", "--format", "json", "--state-dir", str(tmp_path)]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 2 and runs[0]["started_at"] >= runs[1]["started_at"]
    assert runs[0]["scope"]["prefix"] == "sentinel-" and runs[0]["command"] == "scan"

    assert run(["diff", "--format", "json", "--state-dir", str(tmp_path)]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["run_a"] == runs[1]["run_id"] and diff["run_b"] == runs[0]["run_id"]
    assert [f["resource_id"] for f in diff["resolved"]] == ["sentinel-breakglass"]
    assert diff["new"] == [] and diff["changed"] == []

    args = ["diff", runs[0]["run_id"], runs[1]["run_id"], "--state-dir", str(tmp_path)]
    assert run(args) == 0
    assert "new (1):" in capsys.readouterr().out  # reversed: it comes back

    assert run(["history", "--limit", "1", "--state-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and runs[0]["run_id"] in lines[0]


def test_no_history_records_nothing(fleet, capsys, tmp_path):
    scan(fleet, tmp_path, "--no-history", "--format", "json")
    capsys.readouterr()
    assert run(["history", "--format", "json", "--state-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(["diff", "--state-dir", str(tmp_path)]) == 2
    assert "no runs" in capsys.readouterr().err


def test_history_goes_to_the_user_data_dir_by_default(fleet, capsys, _private_user_data_dir):
    run(["scan", "--endpoint-url", fleet.url, "--region", "us-east-1", "--controls", "DDB.003"])
    capsys.readouterr()
    assert (_private_user_data_dir / "dynaguard" / "history.sqlite3").exists()


def test_html_report_shows_the_trend_from_the_history(fleet, capsys, tmp_path):
    for _ in range(2):
        scan(fleet, tmp_path, "--no-color")
    out = tmp_path / "report.html"
    scan(fleet, tmp_path, "--format", "html", "--output", str(out))
    captured = capsys.readouterr()
    assert f"wrote {out}" in captured.err
    text = out.read_text()
    assert "Trend over the last 3 runs" in text
    assert 'data-status="FAIL"' in text
