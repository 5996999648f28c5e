"""The demo fleet scanned end to end gives exactly the verdicts it was designed to produce."""

from __future__ import annotations

import json
from importlib import resources

import dynaguard
from dynaguard.cli.demo import demo_config
from dynaguard.model import Status
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder


def scan_fleet(fleet, recorder=None, controls=None):
    options = AwsOptions(regions=(fleet.manifest.primary_region,), endpoint_url=fleet.url)
    return dynaguard.scan(options, config=demo_config(None), controls=controls, recorder=recorder)


def test_scan_gives_exactly_the_expected_verdicts(fleet):
    report = scan_fleet(fleet)
    got = {(f.control_id, f.resource_id, f.region): f.status.value for f in report.findings}
    expected = dict(fleet.manifest.expected)
    missing = {k: v for k, v in expected.items() if k not in got}
    extra = {k: v for k, v in got.items() if k not in expected}
    wrong = {
        k: (expected[k], got[k]) for k in expected.keys() & got.keys() if expected[k] != got[k]
    }
    assert not missing and not extra and not wrong, (missing, extra, wrong)
    assert all(f.status is not Status.UNKNOWN for f in report.findings)
    # every control has at least one FAIL and one PASS somewhere in the fleet
    for cid in report.controls:
        statuses = {f.status for f in report.findings if f.control_id == cid}
        assert Status.FAIL in statuses, cid
        assert Status.PASS in statuses or (cid == "DDB.016" and Status.NOT_APPLICABLE in statuses)


def test_every_replica_is_judged_not_only_the_first(fleet):
    report = scan_fleet(fleet, controls=["DDB.010", "DDB.011"])
    replicas = {
        (f.control_id, f.region): f.status for f in report.findings if f.resource_type == "replica"
    }
    regions = fleet.manifest.replica_regions
    assert replicas[("DDB.010", regions[0])] is Status.PASS
    assert replicas[("DDB.010", regions[1])] is Status.FAIL
    assert replicas[("DDB.011", regions[1])] is Status.FAIL


def test_a_replica_fix_names_the_region_it_is_made_in(fleet):
    """UpdateTable ReplicaUpdates is called in the region of the table the replica belongs to:
    the pasted command needs that region, and the replica's in RegionName."""
    report = scan_fleet(fleet, controls=["DDB.010", "DDB.011"])
    primary, second = fleet.manifest.primary_region, fleet.manifest.replica_regions[1]
    fixes = {
        f.control_id: f.remediation
        for f in report.findings
        if f.resource_type == "replica" and f.region == second and f.status is Status.FAIL
    }
    assert fixes["DDB.010"].startswith(
        f"aws dynamodb update-table --region {primary} --table-name orders --replica-updates "
        f'\'[{{"Update": {{"RegionName": "{second}", "KMSMasterKeyId": "KEY_ARN"}}}}]\''
    )
    assert f"dynaguard harden --region {primary} --table orders" in fixes["DDB.010"]
    assert fixes["DDB.011"].startswith(
        f"aws dynamodb update-continuous-backups --region {second} --table-name orders "
    )
    assert f"dynaguard harden --region {primary} --table orders" in fixes["DDB.011"]


def _policy_actions(name: str) -> set[str]:
    text = resources.files("dynaguard.policies").joinpath(name).read_text()
    return {a for st in json.loads(text)["Statement"] for a in st["Action"]}


def test_audit_policy_covers_every_call_and_nothing_more(fleet):
    recorder = CallRecorder()
    scan_fleet(fleet, recorder=recorder)
    used = set(recorder.actions())
    shipped = _policy_actions("audit-policy.json")
    assert used <= shipped, f"missing from the audit policy: {sorted(used - shipped)}"
    # only --all-regions lists regions and only --org / --accounts reads the organization and
    # assumes member roles, and only an alias ARN in baseline.allowed_kms_keys lists a key's
    # aliases; everything else shipped is actually used
    assert shipped - used <= {
        "account:ListRegions",
        "kms:ListAliases",
        "ec2:DescribeRegions",
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
        "sts:AssumeRole",
    }, sorted(shipped - used)


def test_per_table_calls_stay_within_the_budget(fleet):
    recorder = CallRecorder()
    report = scan_fleet(fleet, recorder=recorder)
    tables = report.stats["tables"]
    per_table_ops = {
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTagsOfResource",
        "dynamodb:GetResourcePolicy",
    }
    by_action = recorder.by_action()
    # replicas add a DescribeTable + DescribeContinuousBackups each in their own region
    replicas = sum(len(r) for r in fleet.manifest.global_tables.values())
    assert by_action["dynamodb:DescribeTable"] == tables + replicas
    assert by_action["dynamodb:DescribeTimeToLive"] == tables
    assert by_action["dynamodb:ListTables"] == 1
    for op in (
        "application-autoscaling:DescribeScalableTargets",
        "dax:DescribeClusters",
        "ec2:DescribeVpcs",
        "iam:GetAccountAuthorizationDetails",
    ):
        assert by_action[op] == 1, op
    assert set(by_action) - per_table_ops  # region-wide reads happen, once


def test_selecting_controls_makes_fewer_calls(fleet):
    full, narrow = CallRecorder(), CallRecorder()
    scan_fleet(fleet, recorder=full)
    report = scan_fleet(fleet, recorder=narrow, controls=["DDB.002", "DDB.003"])
    assert report.controls == ("DDB.002", "DDB.003")
    assert narrow.total() < full.total() / 2
    used = set(narrow.actions())
    assert "dynamodb:DescribeTimeToLive" not in used
    assert "iam:GetAccountAuthorizationDetails" not in used
    assert "dax:DescribeClusters" not in used
