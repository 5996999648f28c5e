"""harden DDB.018: creates only the missing throttling alarms, journaled and undoable (undo
deletes only what it created), converges, makes no mutating call on dry-run or a second run,
and checks the topic before planning."""

from __future__ import annotations

import json

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.errors import UsageError
from dynaguard.remediation.harden import harden
from dynaguard.sources.aws.recorder import CallRecorder
from tests.remediation.conftest import FAST, aws_options, demo_options, write_demo_config

MUTATING = {"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"}


def alarms(fleet) -> dict[str, tuple[str, bool, list[str]]]:
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=fleet.url)
    found = cw.describe_alarms(AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    return {
        a["AlarmName"]: (
            a["Dimensions"][0]["Value"] if a.get("Dimensions") else "",
            a["ActionsEnabled"],
            a.get("AlarmActions", []),
        )
        for a in found
        if a.get("Namespace") == "AWS/DynamoDB"
    }


def topic(fleet) -> str:
    return f"arn:aws:sns:us-east-1:{fleet.manifest.account_id}:dynamodb-ops"


def test_dry_run_plans_the_missing_alarms_without_a_mutating_call(fleet) -> None:
    config, options = demo_options()
    recorder = CallRecorder()
    before = alarms(fleet)
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        only=["DDB.018"],
        dry_run=True,
        recorder=recorder,
        timing=FAST,
    )
    assert not (recorder.actions() & MUTATING)
    assert alarms(fleet) == before
    planned = {c.resource.name: c for c in result.plan.changes}
    # catalog has a read alarm only: one new alarm; audit-log has a muted write alarm under
    # another name: a new write alarm; fully alarmed tables get nothing
    assert [s.params["MetricName"] for s in planned["catalog"].steps] == ["WriteThrottleEvents"]
    assert [s.params["MetricName"] for s in planned["audit-log"].steps] == ["WriteThrottleEvents"]
    assert len(planned["sentinel-breakglass"].steps) == 2
    assert "inventory" not in planned and "orders" not in planned
    step = planned["sentinel-breakglass"].steps[0].params
    assert (step["Statistic"], step["Period"], step["Threshold"]) == ("Sum", 60, 0.0)
    assert step["ComparisonOperator"] == "GreaterThanThreshold"
    assert step["AlarmActions"] == [topic(fleet)]


def test_apply_then_undo_deletes_only_the_created_alarms(fleet, tmp_path, capsys) -> None:
    config = write_demo_config(tmp_path / "c.yaml")
    common = ["--endpoint-url", fleet.url, "--state-dir", str(tmp_path), "--poll-interval", "0.01"]
    before = alarms(fleet)
    code = run(
        [
            "harden",
            *common,
            "--region",
            "us-east-1",
            "--config",
            config,
            "--only",
            "DDB.018",
            "--alarm-topic",
            topic(fleet),
            "--yes",
            "--format",
            "json",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result["results"]
    after = alarms(fleet)
    created = set(after) - set(before)
    assert created and all(n.startswith("dynaguard-") for n in created)
    assert all(after[n][1] and after[n][2] == [topic(fleet)] for n in created)
    assert {after[n][0] for n in created} == {
        "sentinel-breakglass",
        "sentinel-sessions",
        "catalog",
        "audit-log",
        "audit-scratch",
    }

    # converged: a second run plans nothing and makes no mutating call
    recorder = CallRecorder()
    harden_config, options = demo_options()
    second = harden(
        aws_options(fleet),
        config=harden_config,
        options=options,
        only=["DDB.018"],
        confirm=lambda plan: True,
        state_dir=tmp_path,
        recorder=recorder,
        timing=FAST,
    )
    assert second.plan.all_changes == ()
    assert not (recorder.actions() & MUTATING)

    # undo removes what the run made (deleting an alarm weakens: --allow-unprotect), nothing
    # else
    assert run(["undo", result["run_id"], *common, "--yes", "--allow-unprotect"]) == 0
    capsys.readouterr()
    assert alarms(fleet) == before


def test_a_topic_that_does_not_exist_stops_before_planning(fleet) -> None:
    config, options = demo_options()
    missing = topic(fleet).replace("dynamodb-ops", "no-such-topic")
    options.settings.alarm_topic["us-east-1"] = missing  # type: ignore[index]
    recorder = CallRecorder()
    with pytest.raises(UsageError, match="no-such-topic"):
        harden(
            aws_options(fleet),
            config=config,
            options=options,
            only=["DDB.018"],
            dry_run=True,
            recorder=recorder,
            timing=FAST,
        )
    assert "cloudwatch:DescribeAlarms" not in recorder.actions()  # nothing was planned


def test_a_topic_in_another_region_is_a_usage_error(fleet, tmp_path, capsys) -> None:
    config = write_demo_config(tmp_path / "c.yaml")
    code = run(
        [
            "harden",
            "--endpoint-url",
            fleet.url,
            "--region",
            "us-east-1",
            "--config",
            config,
            "--only",
            "DDB.018",
            "--alarm-topic",
            "arn:aws:sns:eu-west-1:123456789012:ops",
            "--dry-run",
        ]
    )
    assert code == 2
    assert "own region" in capsys.readouterr().err
    assert (
        run(
            [
                "harden",
                "--endpoint-url",
                fleet.url,
                "--alarm-topic",
                "not-an-arn",
                "--only",
                "DDB.018",
                "--dry-run",
            ]
        )
        == 2
    )
    assert "not an SNS topic ARN" in capsys.readouterr().err


def test_without_a_topic_tables_are_skipped_with_the_reason(fleet) -> None:
    config, options = demo_options(alarm_topic={})
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        only=["DDB.018"],
        dry_run=True,
        timing=FAST,
    )
    assert result.plan.changes == ()
    reasons = {s.reason for s in result.plan.skipped if s.control_id == "DDB.018"}
    assert reasons and all("--alarm-topic" in r for r in reasons)


def test_topics_of_regions_not_hardened_are_neither_used_nor_checked(fleet) -> None:
    elsewhere = "arn:aws:sns:eu-west-1:123456789012:not-created-there"
    config, options = demo_options(alarm_topic={"us-east-1": topic(fleet), "eu-west-1": elsewhere})
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        only=["DDB.018"],
        dry_run=True,
        timing=FAST,
    )
    topics = {s.params["AlarmActions"][0] for c in result.plan.changes for s in c.steps}
    assert topics == {topic(fleet)}  # the us-east-1 tables, with the us-east-1 topic
