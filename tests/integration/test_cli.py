"""The CLI end to end against the seeded emulator: output, exit codes, errors, faults."""

from __future__ import annotations

import json

import pytest

from dynaguard.cli.main import run
from dynaguard.emulator.proxy import Fault, FaultProxy


def scan(fleet, *extra, url=None):
    return run(["scan", "--endpoint-url", url or fleet.url, "--region", "us-east-1", *extra])


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_json_report_on_stdout_and_exit_1_on_failures(fleet, capsys):
    code = scan(fleet, "--format", "json")
    out = capsys.readouterr().out
    data = json.loads(out)  # nothing but the report on stdout
    assert code == 1
    assert data["summary"]["FAIL"] > 0
    assert data["stats"]["api_calls"]["dynamodb:DescribeTable"] >= 1


def test_fail_on_threshold(fleet, capsys):
    # no control is critical by default: FAILs below the threshold do not fail the run
    assert scan(fleet, "--format", "json", "--fail-on", "critical") == 0
    assert scan(fleet, "--format", "json", "--fail-on", "high") == 1
    capsys.readouterr()


def test_compliant_selection_exits_0(fleet, capsys):
    code = scan(fleet, "--table", "sentinel-approvals", "--controls", "DDB.002,DDB.003")
    out = capsys.readouterr().out
    assert code == 0
    assert "sentinel-approvals" in out
    assert "0 failed" in out


def test_discovery_prefix_and_regex(fleet, capsys):
    scan(fleet, "--prefix", "sentinel-", "--controls", "DDB.003", "--format", "json")
    ids = {f["resource_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ids == {"sentinel-approvals", "sentinel-breakglass", "sentinel-sessions"}
    scan(fleet, "--match", "^(orders|catalog)$", "--controls", "DDB.003", "--format", "json")
    ids = {f["resource_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ids == {"orders", "catalog"}


def test_output_file_keeps_stdout_empty(fleet, capsys, tmp_path):
    target = tmp_path / "findings.json"
    code = scan(fleet, "--format", "json", "--output", str(target))
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert json.loads(target.read_text())["source"] == "aws"
    assert "wrote" in captured.err


def test_config_suppression_and_disabled_control(fleet, capsys, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "controls:\n  DDB.013: {enabled: false}\n"
        "suppressions:\n  - {control: DDB.003, resources: ['sentinel-*'], reason: 'ephemeral',"
        " expires: 2099-01-01}\n"
    )
    scan(fleet, "--config", str(cfg), "--format", "json", "--prefix", "sentinel-")
    data = json.loads(capsys.readouterr().out)
    assert "DDB.013" not in data["controls"]
    breakglass = [
        f
        for f in data["findings"]
        if f["resource_id"] == "sentinel-breakglass" and f["control_id"] == "DDB.003"
    ]
    assert breakglass[0]["status"] == "SUPPRESSED"
    assert "ephemeral" in breakglass[0]["suppression"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--controls", "DDB.999"], "unknown control id"),
        (["--match", "("], "not a valid regular expression"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--table", "no-such-table"], "no-such-table"),
        (["--config", "/nonexistent/c.yaml"], "cannot read config"),
    ],
)
def test_usage_errors_are_one_line_exit_2(fleet, capsys, args, message):
    code = scan(fleet, *args)
    err = one_line_error(capsys.readouterr().err)
    assert code == 2
    assert message in err


def test_config_typo_names_key_and_line(fleet, capsys, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("baseline:\n  pitr_min_dayz: 30\n")
    assert scan(fleet, "--config", str(cfg)) == 2
    err = one_line_error(capsys.readouterr().err)
    assert "c.yaml:2" in err and "pitr_min_dayz" in err and "pitr_min_days" in err


def test_access_denied_is_unknown_and_exit_3(fleet, capsys):
    with FaultProxy(fleet.url, faults=[Fault("DescribeContinuousBackups", "deny")]) as url:
        code = scan(fleet, "--controls", "DDB.002", "--format", "json", url=url)
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    statuses = {f["status"] for f in data["findings"]}
    assert statuses == {"UNKNOWN"}  # never PASS, never dropped
    assert len(data["findings"]) == len(fleet.manifest.tables)
    assert all("AccessDenied" in f["reason"] for f in data["findings"])


def test_persistent_throttling_is_unknown_not_pass(fleet, capsys):
    with FaultProxy(fleet.url, faults=[Fault("DescribeTimeToLive", "throttle")]) as url:
        code = scan(fleet, "--controls", "DDB.014", "--format", "json", url=url)
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    assert {f["status"] for f in data["findings"]} == {"UNKNOWN"}
    assert all("Throttling" in f["reason"] for f in data["findings"])


def test_intermittent_throttling_is_retried_to_real_verdicts(fleet, capsys):
    proxy = FaultProxy(fleet.url, faults=[Fault("DescribeTable", "throttle", rate=0.3)])
    with proxy as url:
        scan(fleet, "--controls", "DDB.003", "--format", "json", url=url)
    data = json.loads(capsys.readouterr().out)
    assert proxy.injected["throttle:DescribeTable"] > 0  # throttled, and recovered by retries
    assert {f["status"] for f in data["findings"]} == {"PASS", "FAIL"}
    assert len(data["findings"]) == len(fleet.manifest.tables)


def test_unreachable_endpoint_fails_fast_with_one_line(capsys):
    code = run(["scan", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"])
    err = one_line_error(capsys.readouterr().err)
    assert code == 3
    assert "127.0.0.1:9" in err or "connect" in err.lower()


def test_controls_catalog(capsys):
    assert run(["controls", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["control_id"] for c in data] == [f"DDB.{i:03d}" for i in range(1, 19)]
    assert data[1]["resource_type"] == "table"
    assert data[1]["frameworks"]["AWS FSBP"] == ["DynamoDB.2"]
    assert run(["controls"]) == 0
    assert "DDB.017" in capsys.readouterr().out


def test_no_command_is_usage_error(capsys):
    assert run([]) == 2


def test_json_logs_on_stderr_carry_the_run_id(fleet, capsys):
    code = scan(fleet, "--controls", "DDB.003", "--format", "json", "-v", "--log-format", "json")
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # stdout is still only the report
    logs = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    assert code == 1
    assert logs, captured.err
    assert {entry["run_id"] for entry in logs} == {report["run_id"]}
    assert "testing" not in captured.err  # the (fake) credentials never reach the logs
