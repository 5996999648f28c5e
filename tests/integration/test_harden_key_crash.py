"""``--create-key`` after a run killed between CreateKey and CreateAlias: the rerun adopts the
tagged key the killed run left without an alias, instead of creating a second one. Its own
module: it needs a fleet nobody hardened yet."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import boto3

from dynaguard.remediation import preludes
from dynaguard.remediation.harden import harden
from dynaguard.remediation.preludes import PURPOSE_TAG, RUN_TAG
from dynaguard.remediation.steps import StepRunner
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession
from tests.remediation.conftest import FAST, aws_options, demo_options
from tests.remediation.conftest import _offline as _offline  # noqa: PLC0414 - fixture
from tests.remediation.conftest import fleet as fresh_fleet  # noqa: F401 - overrides "fleet"

REGION = "us-west-2"  # the second replica of "orders", on the AWS managed key: no key configured
ALIAS = "alias/dynaguard-cmk"


def _kms(fleet):  # type: ignore[no-untyped-def]
    return boto3.client("kms", region_name=REGION, endpoint_url=fleet.url)


def _tagged_keys(kms) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for key in kms.list_keys()["Keys"]:
        tags = {
            t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]
        }
        if tags.get(PURPOSE_TAG[0]) == PURPOSE_TAG[1]:
            out.append(key["KeyId"])
    return out


def _policy_actions() -> set[str]:
    text = resources.files("dynaguard.policies").joinpath("harden-policy.json").read_text()
    return {
        a for st in json.loads(text)["Statement"] if st["Effect"] == "Allow" for a in st["Action"]
    }


def test_rerun_adopts_the_key_a_killed_run_left_without_an_alias(fleet, tmp_path):
    kms = _kms(fleet)
    before = _tagged_keys(kms)
    # What a run killed right after CreateKey leaves: the tagged key, no rotation, no alias.
    orphan = kms.create_key(
        Description="dynaguard: DynamoDB table encryption",
        KeySpec="SYMMETRIC_DEFAULT",
        KeyUsage="ENCRYPT_DECRYPT",
        Tags=[
            {"TagKey": PURPOSE_TAG[0], "TagValue": PURPOSE_TAG[1]},
            {"TagKey": RUN_TAG, "TagValue": "run-killed"},
        ],
    )["KeyMetadata"]
    decoy = kms.create_key(Description="someone else's key, no alias, no tag")["KeyMetadata"]

    config, options = demo_options()
    recorder = CallRecorder()
    result = harden(
        aws_options(fleet),
        config=config,
        only=("DDB.010",),
        options=options,
        confirm=lambda plan: True,
        state_dir=tmp_path,
        recorder=recorder,
        timing=FAST,
    )
    assert result.exit_code == 0, [o.detail for o in result.outcomes]
    assert [p.resource.region for p in result.plan.preludes] == [REGION]

    # One key with the tag, the orphan; the alias points to it, with rotation on.
    assert [k for k in _tagged_keys(kms) if k not in before] == [orphan["KeyId"]]
    assert kms.describe_key(KeyId=ALIAS)["KeyMetadata"]["KeyId"] == orphan["KeyId"]
    assert kms.get_key_rotation_status(KeyId=orphan["KeyId"])["KeyRotationEnabled"]
    assert decoy["KeyId"] not in {a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert "kms:CreateKey" not in recorder.actions()
    assert set(recorder.actions()) <= _policy_actions()
    assert "kms:ListResourceTags" in recorder.actions()

    # The replica is encrypted with the adopted key.
    table = boto3.client("dynamodb", region_name=REGION, endpoint_url=fleet.url)
    sse = table.describe_table(TableName="orders")["Table"]["SSEDescription"]
    assert sse["KMSMasterKeyArn"] == orphan["Arn"]

    # The journal says which key was adopted, and from which run.
    assert result.journal is not None
    events = [json.loads(line) for line in Path(result.journal).read_text().splitlines()]
    prelude = result.plan.preludes[0].change_id
    done = [e for e in events if e["event"] == "done" and e["change_id"] == prelude]
    assert done and done[0]["outputs"]["adopted_key"] == orphan["Arn"]
    assert done[0]["outputs"]["adopted_from_run"] == "run-killed"

    # Converged: a rerun plans no key and creates none.
    again = harden(
        aws_options(fleet),
        config=config,
        only=("DDB.010",),
        options=options,
        dry_run=True,
        timing=FAST,
    )
    assert again.plan.all_changes == ()
    assert [k for k in _tagged_keys(kms) if k not in before] == [orphan["KeyId"]]


def test_only_enabled_tagged_keys_without_an_alias_are_adopted_oldest_first(fleet):
    """Self-contained (xdist may run it in a fresh process): leaves no orphan behind."""
    kms = _kms(fleet)
    runner = StepRunner(AwsSession(aws_options(fleet), "run-test"), FAST)

    def orphans() -> list[str]:
        return [k["KeyId"] for k in preludes.orphaned_keys(runner, REGION)]

    before = orphans()
    tag = [{"TagKey": PURPOSE_TAG[0], "TagValue": PURPOSE_TAG[1]}]
    older = kms.create_key(Tags=tag)["KeyMetadata"]["KeyId"]
    newer = kms.create_key(Tags=tag)["KeyMetadata"]["KeyId"]
    disabled = kms.create_key(Tags=tag)["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    kms.create_key(Description="no tag")
    assert [k for k in orphans() if k not in before] == [older, newer]
    kms.create_alias(AliasName="alias/kept-by-someone", TargetKeyId=older)
    assert [k for k in orphans() if k not in before] == [newer]
    kms.schedule_key_deletion(KeyId=newer, PendingWindowInDays=7)
    assert orphans() == before


def test_a_new_key_is_tagged_with_its_purpose_and_run():
    change = preludes.create_key(REGION, "123456789012", ALIAS, "run-new")
    create = change.steps[0]
    assert create.action == "kms:CreateKey"
    assert create.params["Tags"] == [
        {"TagKey": PURPOSE_TAG[0], "TagValue": PURPOSE_TAG[1]},
        {"TagKey": RUN_TAG, "TagValue": "run-new"},
    ]
