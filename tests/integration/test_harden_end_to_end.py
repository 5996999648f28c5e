"""harden end to end: the shipped IAM policy covers exactly what it calls, and a run killed
with SIGKILL midway converges when started again."""

from __future__ import annotations

import json
from importlib import resources

from dynaguard.remediation.harden import harden
from dynaguard.sources.aws.recorder import CallRecorder
from tests.remediation.conftest import FAST, aws_options, demo_options
from tests.remediation.conftest import _offline as _offline  # noqa: PLC0414 - fixture
from tests.remediation.conftest import fleet as fresh_fleet  # noqa: F401 - overrides "fleet"

# Allowed but not called on the demo fleet: undo's calls, the vault/plan creation paths,
# permissions AWS checks on the service's side (grants, alarms, service-linked role, PassRole).
NOT_RECORDED = {
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "backup:CreateBackupPlan",
    "backup:CreateBackupSelection",
    "backup:CreateBackupVault",
    "backup:DeleteBackupSelection",
    "backup-storage:MountCapsule",
    "cloudwatch:DeleteAlarms",  # DDB.018 undo
    "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
    "dax:DecreaseReplicationFactor",
    "dynamodb:PutResourcePolicy",  # catalog's only statement goes: DeleteResourcePolicy
    "dynamodb:UntagResource",
    "ec2:DeleteVpcEndpoints",
    "ec2:DescribeRegions",
    "ec2:ModifyVpcEndpoint",
    "iam:CreateServiceLinkedRole",
    "iam:PassRole",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DisableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:ListResourceTags",  # only with a key no alias points to: test_harden_key_crash
    "kms:TagResource",  # checked by AWS for CreateKey's Tags
    "organizations:ListAccounts",  # only harden --org: test_harden_accounts
    "organizations:ListAccountsForParent",  # harden --org --ou
    "organizations:ListOrganizationalUnitsForParent",  # harden --org --ou
    "sts:AssumeRole",  # only harden --accounts / --org: test_harden_accounts
}


def _policy_actions() -> set[str]:
    text = resources.files("dynaguard.policies").joinpath("harden-policy.json").read_text()
    return {
        a for st in json.loads(text)["Statement"] if st["Effect"] == "Allow" for a in st["Action"]
    }


def test_harden_policy_covers_every_call_and_nothing_more(fleet, tmp_path):
    config, options = demo_options(ttl_attributes={"catalog": "expires_at"})
    recorder = CallRecorder()
    result = harden(
        aws_options(fleet),
        config=config,
        options=options,
        confirm=lambda p: True,
        state_dir=tmp_path,
        recorder=recorder,
        timing=FAST,
    )
    assert result.exit_code == 0
    used = set(recorder.actions())
    shipped = _policy_actions()
    assert used <= shipped, f"missing from the harden policy: {sorted(used - shipped)}"
    assert shipped - used <= NOT_RECORDED, sorted(shipped - used - NOT_RECORDED)
