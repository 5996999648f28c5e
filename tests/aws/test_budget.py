"""The API budget per table (CONTROLS.md) measured with the CallRecorder, and the shipped IAM
policy checked against every operation a full scan makes."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from dynaguard.controls.registry import all_controls
from dynaguard.model import FACTS
from dynaguard.selection import Selection
from dynaguard.sources.aws import AwsOptions, CallRecorder, collect, facts_needed
from dynaguard.sources.aws.collect import with_implied
from tests.aws.conftest import Hooks, create_table


@pytest.fixture
def three_tables(aws: Any, hooks: Hooks) -> Hooks:
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
    ddb = aws("dynamodb")
    create_table(ddb, "a", SSESpecification=sse)
    create_table(ddb, "b", SSESpecification=sse)
    create_table(
        ddb, "c", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    return hooks


def calls(facts: set[str], recorder: CallRecorder) -> Counter[str]:
    collect(AwsOptions(), frozenset(facts), run_id="t", recorder=recorder)
    counted = recorder.by_action()
    assert counted.pop("sts:GetCallerIdentity") == 1  # identity once per session
    return counted


PER_TABLE_FACTS = {
    "table.describe",
    "table.pitr",
    "table.ttl",
    "table.tags",
    "table.resource_policy",
}


def test_all_table_facts_make_exactly_the_budgeted_calls(three_tables: Hooks) -> None:
    assert calls(PER_TABLE_FACTS, three_tables) == Counter(
        {
            "dynamodb:ListTables": 1,
            "dynamodb:DescribeTable": 3,
            "dynamodb:DescribeContinuousBackups": 3,
            "dynamodb:DescribeTimeToLive": 3,
            "dynamodb:ListTagsOfResource": 3,
            "dynamodb:GetResourcePolicy": 4,  # 3 tables + the one stream
        }
    )


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (set(), {}),
        ({"table.pitr"}, {"dynamodb:ListTables": 1, "dynamodb:DescribeContinuousBackups": 3}),
        ({"table.ttl"}, {"dynamodb:ListTables": 1, "dynamodb:DescribeTimeToLive": 3}),
        ({"table.tags"}, {"dynamodb:ListTables": 1, "dynamodb:ListTagsOfResource": 3}),
        ({"table.describe"}, {"dynamodb:ListTables": 1, "dynamodb:DescribeTable": 3}),
        (
            {"table.resource_policy"},
            {
                "dynamodb:ListTables": 1,
                "dynamodb:DescribeTable": 3,
                "dynamodb:GetResourcePolicy": 4,
            },
        ),
        (
            {"kms.keys"},
            {"dynamodb:ListTables": 1, "dynamodb:DescribeTable": 3, "kms:DescribeKey": 1},
        ),
        (
            {"kms.rotation"},
            {
                "dynamodb:ListTables": 1,
                "dynamodb:DescribeTable": 3,
                "kms:DescribeKey": 1,
                "kms:GetKeyRotationStatus": 1,
            },
        ),
        (
            {"region.scaling"},
            {
                "dynamodb:ListTables": 1,
                "application-autoscaling:DescribeScalableTargets": 1,
                "application-autoscaling:DescribeScalingPolicies": 1,
            },
        ),
        ({"region.dax"}, {"dax:DescribeClusters": 1}),
        ({"region.vpcs"}, {"ec2:DescribeVpcs": 1, "ec2:DescribeVpcEndpoints": 1}),
        ({"account.iam"}, {"iam:GetAccountAuthorizationDetails": 1}),
        (
            {"region.backup"},
            {
                "dynamodb:ListTables": 1,
                "backup:ListBackupPlans": 1,
                "backup:DescribeRegionSettings": 1,
            },
        ),
        ({"region.alarms"}, {"dynamodb:ListTables": 1, "cloudwatch:DescribeAlarms": 1}),
    ],
)
def test_fewer_facts_make_fewer_calls(
    three_tables: Hooks, facts: set[str], expected: dict[str, int]
) -> None:
    assert calls(facts, three_tables) == Counter(expected)


def test_region_wide_reads_do_not_grow_with_tables(aws: Any) -> None:
    ddb = aws("dynamodb")
    for i in range(30):
        create_table(ddb, f"t{i}")
    recorder = CallRecorder()
    facts = {
        "region.scaling",
        "region.dax",
        "region.vpcs",
        "region.alarms",
        "account.iam",
        "table.pitr",
    }
    counted = calls(facts, recorder)
    assert counted["dynamodb:DescribeContinuousBackups"] == 30
    assert {a: n for a, n in counted.items() if not a.startswith("dynamodb:")} == {
        "application-autoscaling:DescribeScalableTargets": 1,
        "application-autoscaling:DescribeScalingPolicies": 1,
        "cloudwatch:DescribeAlarms": 1,
        "dax:DescribeClusters": 1,
        "ec2:DescribeVpcs": 1,
        "ec2:DescribeVpcEndpoints": 1,
        "iam:GetAccountAuthorizationDetails": 1,
    }


def test_an_empty_region_costs_only_what_tableless_controls_need(aws: Any) -> None:
    """The rule: ListTables, DAX DescribeClusters, DescribeVpcs, DescribeVpcEndpoints; scaling
    and backup selections only judge tables and are not read where there is none."""
    create_table(aws("dynamodb", "eu-west-1"), "elsewhere")  # us-east-1 stays empty
    recorder = CallRecorder()
    facts = facts_needed(all_controls()) - {"account.iam"}
    collect(AwsOptions(regions=("us-east-1",)), facts, run_id="t", recorder=recorder)
    counted = recorder.by_action()
    counted.pop("sts:GetCallerIdentity")
    assert counted == Counter(
        {
            "dynamodb:ListTables": 1,
            "dax:DescribeClusters": 1,
            "ec2:DescribeVpcs": 1,
            "ec2:DescribeVpcEndpoints": 1,
        }
    )


def test_region_reads_for_tables_follow_a_non_empty_listing(aws: Any) -> None:
    create_table(aws("dynamodb"), "t")
    recorder = CallRecorder()
    collect(
        AwsOptions(regions=("us-east-1",)),
        frozenset({"region.scaling", "region.backup"}),
        run_id="t",
        recorder=recorder,
    )
    used = recorder.actions()
    assert {"application-autoscaling:DescribeScalableTargets", "backup:ListBackupPlans"} <= used


def test_facts_needed_is_the_union_of_the_controls_facts() -> None:
    controls = all_controls()
    needed = facts_needed(controls)
    assert needed == frozenset().union(*(c.facts for c in controls))
    assert needed <= FACTS
    assert facts_needed([]) == frozenset()
    assert "kms.keys" in with_implied({"kms.rotation"})
    with pytest.raises(ValueError, match="unknown facts"):
        with_implied({"table.everything"})


def shipped_policy_actions() -> set[str]:
    text = resources.files("dynaguard").joinpath("policies/audit-policy.json").read_text()
    actions: set[str] = set()
    for statement in json.loads(text)["Statement"]:
        if statement["Effect"] == "Allow":
            action = statement["Action"]
            actions.update([action] if isinstance(action, str) else action)
    return actions


def test_the_shipped_iam_policy_allows_every_call_of_a_full_scan(three_tables: Hooks) -> None:
    def backup_plans(stub: Any) -> None:
        stub.add_response("list_backup_plans", {"BackupPlansList": [{"BackupPlanId": "p"}]})
        stub.add_response(
            "list_backup_selections",
            {
                "BackupSelectionsList": [
                    {"SelectionId": "s", "SelectionName": "s", "BackupPlanId": "p"}
                ]
            },
        )
        stub.add_response(
            "get_backup_selection",
            {
                "BackupSelection": {
                    "SelectionName": "s",
                    "IamRoleArn": "arn:aws:iam::123456789012:role/b",
                }
            },
        )

    three_tables.stub("backup", backup_plans)
    two_regions = [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]
    # account:ListRegions denied: the ec2:DescribeRegions fallback is exercised too
    three_tables.fail("account", "ListRegions", "AccessDeniedException", status=403)
    three_tables.rewrite(  # two enabled regions keep the test quick
        "ec2", "DescribeRegions", lambda parsed: parsed.update(Regions=two_regions)
    )
    options = AwsOptions(all_regions=True, selection=Selection(tables=("a", "b", "c")))
    collect(options, FACTS, run_id="t", recorder=three_tables)
    used = three_tables.actions()
    assert {"backup:GetBackupSelection", "kms:GetKeyRotationStatus"} <= used
    assert {"account:ListRegions", "ec2:DescribeRegions"} <= used
    missing = used - shipped_policy_actions()
    assert not missing, f"audit-policy.json lacks {sorted(missing)}"


def test_the_network_is_read_only_where_a_policy_names_it(three_tables: Hooks, aws: Any) -> None:
    """DDB.006 reads a region's VPCs and endpoints only when a table or stream policy names
    aws:SourceVpc(e) there; a table whose policy does not costs no EC2 call."""
    facts = {"table.resource_policy", "policy.network"}
    assert "ec2:DescribeVpcs" not in calls(facts, three_tables)
    ddb = aws("dynamodb")
    arn = ddb.describe_table(TableName="a")["Table"]["TableArn"]
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "dynamodb:GetItem",
        "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    ddb.put_resource_policy(ResourceArn=arn, Policy=policy)
    counted = calls(facts, Hooks())  # a fresh recorder
    assert counted["ec2:DescribeVpcs"] == 1
    assert counted["ec2:DescribeVpcEndpoints"] == 1
