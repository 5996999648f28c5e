"""``dynaguard.provision``, the library API the CLI wires: plan, confirm, create, verify; a dry
run or a refusal creates nothing; a re-run finds the table matching and makes no mutating call."""

from __future__ import annotations

import pytest

import dynaguard
from dynaguard.config_load import parse_config
from dynaguard.emulator.proxy import Fault, FaultProxy
from dynaguard.errors import ProvisionError
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from dynaguard.provisioning import (
    Outcome,
    Plan,
    SpecDefaults,
    TableSpec,
    Waiting,
    load_spec,
    provision,
)
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from tests.provisioning.conftest import REGION, Aws
from tests.provisioning.test_provision_cli import mutating

CONFIG = parse_config({"baseline": {"required_tags": []}})
FAST = Waiting(delay_s=0.01, timeout_s=30)


def sessions_spec(aws: Aws, name: str = "sentinel-lib") -> TableSpec:
    defaults = SpecDefaults(region=REGION, table_name=name, kms_key_arn=aws.customer_key())
    return load_spec(preset="sessions", defaults=defaults)


def test_the_package_exports_provision_next_to_scan_and_harden() -> None:
    assert dynaguard.provision is provision
    assert callable(dynaguard.scan) and callable(dynaguard.harden)


def test_dry_run_plans_with_reads_only_and_keeps_the_cost_lines(aws: Aws) -> None:
    recorder = CallRecorder()
    result = provision(
        sessions_spec(aws),
        AwsOptions(endpoint_url=aws.url),
        config=CONFIG,
        dry_run=True,
        recorder=recorder,
        confirm=lambda plan: pytest.fail("a dry run never asks"),
    )
    assert (result.outcome, result.exit_code, result.results) == (Outcome.PLANNED, EXIT_OK, ())
    assert recorder.total() > 0 and not mutating(recorder.actions()), recorder.actions()
    assert result.plan.costs, "the plan's cost lines (dynaguard.cost) are part of the result"
    assert result.to_dict()["plan"]["cost"]["changes"]
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


def test_a_refusal_creates_nothing(aws: Aws) -> None:
    asked: list[Plan] = []

    def refuse(plan: Plan) -> bool:
        asked.append(plan)
        return False

    result = provision(
        sessions_spec(aws), AwsOptions(endpoint_url=aws.url), config=CONFIG, confirm=refuse
    )
    assert [p.spec.table_name for p in asked] == ["sentinel-lib"]
    assert (result.outcome, result.exit_code) == (Outcome.CANCELLED, EXIT_CANCELLED)
    assert "nothing created" in result.closing()
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


def test_create_then_rerun_matches_without_a_mutating_call(aws: Aws) -> None:
    spec = sessions_spec(aws)
    options = AwsOptions(endpoint_url=aws.url)
    created = provision(spec, options, config=CONFIG, confirm=lambda plan: True, waiting=FAST)
    assert (created.outcome, created.exit_code) == (Outcome.CREATED, EXIT_OK), created.results
    assert [r.status for r in created.results] == ["verified"] * len(created.results)
    assert created.results[0].action == "dynamodb:CreateTable"
    assert "dynamodb:CreateTable" in created.stats["api_calls"]
    assert aws.client("dynamodb").list_tables()["TableNames"] == ["sentinel-lib"]

    recorder = CallRecorder()
    again = provision(
        spec,
        options,
        config=CONFIG,
        confirm=lambda plan: pytest.fail("an existing table is never created again"),
        recorder=recorder,
    )
    assert (again.outcome, again.exit_code) == (Outcome.MATCHING, EXIT_OK)
    assert not mutating(recorder.actions()), recorder.actions()


def test_an_existing_table_that_differs_is_reported_not_changed(aws: Aws) -> None:
    spec = sessions_spec(aws)
    options = AwsOptions(endpoint_url=aws.url)
    provision(spec, options, config=CONFIG, confirm=lambda plan: True, waiting=FAST)
    aws.client("dynamodb").update_continuous_backups(
        TableName=spec.table_name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )
    recorder = CallRecorder()
    result = provision(spec, options, config=CONFIG, recorder=recorder)
    assert (result.outcome, result.exit_code) == (Outcome.DIFFERS, EXIT_FAILED)
    assert [d.field for d in result.plan.differences] == ["point_in_time_recovery"]
    assert not mutating(recorder.actions())


def test_a_read_denied_while_planning_is_a_provision_error(aws: Aws) -> None:
    spec = sessions_spec(aws)
    denied = FaultProxy(aws.url, faults=[Fault("DescribeTable", "deny")])
    with (
        denied as url,
        pytest.raises(ProvisionError, match=r"cannot plan.*DescribeTable") as raised,
    ):
        provision(spec, AwsOptions(endpoint_url=url), config=CONFIG, dry_run=True)
    assert raised.value.exit_code == EXIT_FAILED
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
