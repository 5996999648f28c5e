"""`dynaguard demo` and `dynaguard demo --serve` as a user runs them: separate processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from dynaguard.cli.main import run

ENV = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def test_demo_runs_end_to_end_and_exits_0():
    proc = subprocess.run(
        [sys.executable, "-m", "dynaguard.cli.main", "demo", "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        env=ENV,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "emulator" in proc.stderr  # the story is told on stderr...
    document = json.loads(proc.stdout)  # ...and stdout carries one JSON document
    assert document["tool"]["name"] == "dynaguard" and document["command"] == "demo"
    before, harden, after = document["before"], document["harden"], document["after"]
    assert before["summary"]["FAIL"] > 0 and before["started_at"]
    assert harden["exit_code"] == 0 and harden["summary"]["failed"] == 0
    assert harden["summary"]["applied"] > 0
    manual = {(m["control_id"], m["resource"]["name"]) for m in harden["plan"]["manual"]}
    left = {(f["control_id"], f["resource_id"]) for f in after["findings"] if f["status"] == "FAIL"}
    assert left == manual  # every fixable FAIL is gone; what is left is MANUAL
    assert after["summary"]["FAIL"] < before["summary"]["FAIL"]
    assert "left for a human (MANUAL)" in proc.stderr


def test_demo_serve_keeps_the_emulator_up_for_a_manual_scan(monkeypatch, capsys):
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        for k, v in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(k, v)
        code = run(
            [
                "scan",
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "--prefix",
                "sentinel-",
                "--controls",
                "DDB.001",
                "--format",
                "json",
            ]
        )
        data = json.loads(capsys.readouterr().out)
        assert code == 1
        assert {f["resource_id"] for f in data["findings"]} == {
            "sentinel-approvals",
            "sentinel-breakglass",
            "sentinel-sessions",
        }
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)  # generous: CI machines are loaded
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err


def test_demo_config_file_is_the_demo_config(tmp_path):
    from dataclasses import replace

    from dynaguard.cli.demo import demo_config, write_demo_config
    from dynaguard.config_load import load_config

    path = write_demo_config(tmp_path)
    assert replace(load_config(path), path=None) == replace(demo_config(None), path=None)


def test_demo_serve_gives_the_config_of_the_readme_verdicts(monkeypatch, capsys):
    """QA F18: with the config --serve writes, a manual scan judges the fleet as the README's
    demo does (inventory PASSes DDB.006: its Deny admits only the fleet's organisation)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard.cli.main", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    config = None
    try:
        endpoint = proc.stdout.readline().strip()
        for line in proc.stderr:
            if line.startswith("the demo config, in "):
                config = line.removeprefix("the demo config, in ").rstrip().rstrip(":")
                break
        assert config and os.path.isfile(config)
        for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
            monkeypatch.setenv(k, v)
        scan = ["scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--no-history"]
        scan += ["--table", "inventory", "--controls", "DDB.006,DDB.017", "--format", "json"]
        assert run([*scan, "--config", config]) == 0
        verdicts = {
            f["control_id"]: f["status"] for f in json.loads(capsys.readouterr().out)["findings"]
        }
        assert verdicts == {"DDB.006": "PASS", "DDB.017": "PASS"}
        run(scan)  # without it, the default baseline: not the README's verdicts
        verdicts = {
            f["control_id"]: f["status"] for f in json.loads(capsys.readouterr().out)["findings"]
        }
        assert verdicts["DDB.006"] == "FAIL"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)  # generous: CI machines are loaded
    assert proc.returncode == 0, err[-2000:]
    assert not os.path.exists(config)  # the temporary file goes with the emulator
