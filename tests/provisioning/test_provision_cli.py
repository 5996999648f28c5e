"""The provision command: idempotent re-runs, dry runs without mutating calls, confirmation,
invalid schemas, and the shipped IAM policy covering every call a provisioning makes."""

from __future__ import annotations

import io
import json
from importlib import resources

import pytest

from dynaguard.config_load import parse_config
from dynaguard.engine import choose_controls
from dynaguard.provisioning import ProvisionSession, SpecDefaults, live_plan, load_spec
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from tests.provisioning.conftest import REGION, Aws, Provision

READ_PREFIXES = ("Describe", "List", "Get")
TAGS = ("--tag", "owner=security", "--tag", "cost-center=cc-7")


def mutating(actions: dict[str, int] | set[str]) -> set[str]:
    return {a for a in actions if not a.split(":", 1)[1].startswith(READ_PREFIXES)}


def preset_args(aws: Aws, config_file: str, name: str = "sentinel-sessions") -> tuple[str, ...]:
    return (
        "--preset",
        "sessions",
        "--name",
        name,
        "--region",
        REGION,
        "--config",
        config_file,
        *TAGS,
    )


def test_dry_run_plans_with_reads_only(aws: Aws, provision: Provision, config_file: str) -> None:
    code, result = provision(
        *preset_args(aws, config_file), "--dry-run", "--kms-key", aws.customer_key()
    )
    assert code == 0
    assert result["outcome"] == "planned"
    assert result["api_calls"] and not mutating(result["api_calls"])
    assert result["plan"]["create_table"]["SSESpecification"]["SSEType"] == "KMS"
    assert [s["action"] for s in result["plan"]["post_create"]] == [
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:UpdateTimeToLive",
    ]
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


def test_library_dry_run_recorder_sees_no_mutating_call(aws: Aws) -> None:
    config = parse_config({"baseline": {"required_tags": []}})
    spec = load_spec(
        preset="approvals",
        defaults=SpecDefaults(
            region=REGION, table_name="approvals", kms_key_arn=aws.customer_key()
        ),
    )
    recorder = CallRecorder()
    session = ProvisionSession(
        AwsOptions(regions=(REGION,), endpoint_url=aws.url), REGION, "t", recorder
    )
    plan = live_plan(spec, session, choose_controls(config), config, "t")
    assert plan.creates
    assert recorder.total() > 0
    assert not mutating(recorder.actions()), recorder.actions()


def test_rerun_is_idempotent_and_reports_differences(
    aws: Aws, provision: Provision, config_file: str
) -> None:
    key = aws.customer_key()
    assert provision(*preset_args(aws, config_file), "--kms-key", key, "--yes")[0] == 0
    code, again = provision(*preset_args(aws, config_file), "--kms-key", key, "--yes")
    assert code == 0
    assert again["outcome"] == "matching"
    assert not mutating(again["api_calls"])
    # drift: someone turned PITR off; provisioning reports it and changes nothing
    aws.client("dynamodb").update_continuous_backups(
        TableName="sentinel-sessions",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )
    code, drift = provision(
        *preset_args(aws, config_file), "--kms-key", key, "--yes", "--tag", "owner=someone-else"
    )
    assert code == 1
    assert drift["outcome"] == "differs"
    fields = {d["field"]: d for d in drift["plan"]["differences"]}
    assert set(fields) == {"point_in_time_recovery", "tags.owner"}
    assert "harden" in fields["point_in_time_recovery"]["fix"]
    assert not mutating(drift["api_calls"])


def test_rerun_on_the_aws_managed_key_is_idempotent(
    aws: Aws, provision: Provision, config_file: str
) -> None:
    # No customer key: the preset falls back to KMS (the AWS managed key). DescribeTable then
    # reports the managed key's ARN, never alias/aws/dynamodb: KeyManager decides.
    code, first = provision(*preset_args(aws, config_file), "--yes")
    assert code == 0 and first["outcome"] == "created"
    assert first["plan"]["create_table"]["SSESpecification"] == {"Enabled": True, "SSEType": "KMS"}
    code, again = provision(*preset_args(aws, config_file), "--yes")
    assert (code, again["outcome"]) == (0, "matching"), again["plan"].get("differences")
    assert not mutating(again["api_calls"])
    # a customer key asked for on a table on the AWS managed key is a difference
    code, other = provision(*preset_args(aws, config_file), "--kms-key", aws.customer_key())
    assert (code, other["outcome"]) == (1, "differs")
    (diff,) = other["plan"]["differences"]
    assert (diff["field"], diff["actual"]) == ("encryption", "KMS (the AWS managed key)")


def test_existing_table_with_other_key_schema_is_never_recreated(
    aws: Aws, provision: Provision, config_file: str
) -> None:
    aws.client("dynamodb").create_table(
        TableName="sentinel-sessions",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    code, result = provision(*preset_args(aws, config_file), "--yes")
    assert code == 1
    fields = {d["field"]: d["fix"] for d in result["plan"]["differences"]}
    assert "create-time only" in fields["key"]
    assert "dynamodb:DeleteTable" not in result["api_calls"]
    assert "dynamodb:CreateTable" not in result["api_calls"]


def test_no_terminal_and_no_yes_cancels_with_exit_2(
    aws: Aws, provision: Provision, config_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a TTY: the answer is not read
    code, result = provision(*preset_args(aws, config_file))
    assert code == 2
    assert result["outcome"] == "cancelled"
    assert "--yes" in provision.stderr  # type: ignore[attr-defined]
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("n\n", 2), ("yes\n", 0)])
def test_prompt_on_a_terminal(
    aws: Aws,
    provision: Provision,
    config_file: str,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    monkeypatch.setattr("sys.stdin", _Tty(answer))
    assert provision(*preset_args(aws, config_file))[0] == code
    tables = aws.client("dynamodb").list_tables()["TableNames"]
    assert tables == ([] if code else ["sentinel-sessions"])


def test_invalid_schema_exits_2_listing_every_problem(
    aws: Aws, provision: Provision, tmp_path
) -> None:
    schema = tmp_path / "bad.yaml"
    schema.write_text("table_name: x\nattributes: {pk: Z}\n")
    code, _ = provision(str(schema), "--region", REGION)
    err = provision.stderr  # type: ignore[attr-defined]
    assert code == 2
    assert "table_name" in err and "attributes.pk" in err and "hash_key" in err


def test_preset_needs_name_and_show_schema(provision: Provision, capsys) -> None:
    assert provision("--preset", "approvals")[0] == 2
    from dynaguard.cli.main import run

    assert run(["provision", "--preset", "breakglass", "--show-schema"]) == 0
    assert "retain_until" in capsys.readouterr().out


def _policy_actions() -> set[str]:
    text = resources.files("dynaguard").joinpath("policies/provision-policy.json").read_text()
    actions: set[str] = set()
    for statement in json.loads(text)["Statement"]:
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def test_provision_policy_allows_every_call_of_a_provisioning(
    aws: Aws, provision: Provision, config_file: str, tmp_path
) -> None:
    from tests.provisioning.test_provision_emulator import GLOBAL_SCHEMA

    allowed = _policy_actions()
    recorded: set[str] = set()
    key = aws.customer_key()
    for preset in ("approvals", "breakglass", "sessions"):
        code, result = provision(
            "--preset",
            preset,
            "--name",
            f"p-{preset}",
            "--region",
            REGION,
            "--kms-key",
            key,
            "--config",
            config_file,
            "--yes",
            *TAGS,
        )
        assert code == 0
        recorded |= set(result["api_calls"])
    schema = tmp_path / "ledger.yaml"
    schema.write_text(GLOBAL_SCHEMA.replace("REPLICA_KEY", aws.customer_key("us-west-2")))
    code, result = provision(
        str(schema), "--region", REGION, "--kms-key", key, "--config", config_file, "--yes"
    )
    assert code == 0
    recorded |= set(result["api_calls"])
    assert "application-autoscaling:PutScalingPolicy" in recorded
    missing = recorded - allowed
    assert not missing, f"provision-policy.json lacks {sorted(missing)}"
