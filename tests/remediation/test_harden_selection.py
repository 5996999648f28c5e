"""harden with a filter makes no mutating call on anything outside it: every call is recorded
with its parameters and traced to the resource it changes. A key created for a selected table
(--create-key) is in scope of that table."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from dynaguard.cli.main import run
from dynaguard.remediation import harden as harden_module
from dynaguard.sources.aws.recorder import ApiCall, CallRecorder
from dynaguard.sources.aws.session import AwsSession

READS = ("Describe", "List", "Get")
# No kms_key: --create-key makes one in us-east-1 for the selected tables. Every opt-in fix on.
CONFIG = """baseline:
  required_tags: [owner, cost-center]
harden:
  default_tags: {owner: platform-team, cost-center: cc-0000}
  backup_tag: {backup: daily}
  ttl_attributes: {sentinel-breakglass: expires_at, catalog: expires_at}
  opt_in: [DDB.006, DDB.013, DDB.015]
"""


@pytest.fixture
def recorder(monkeypatch):
    recorder = CallRecorder(keep_params=True)

    def session(options, run_id, _recorder=None):
        return AwsSession(options, run_id, recorder)

    monkeypatch.setattr(harden_module, "AwsSession", session)
    return recorder


def mutating(recorder: CallRecorder) -> list[tuple[ApiCall, dict]]:
    return [(c, p) for c, p in recorder.with_params() if not c.operation.startswith(READS)]


def table_of(params: dict) -> str | None:
    """The table a DynamoDB / auto scaling / backup call changes, from its parameters."""
    if "TableName" in params:
        return params["TableName"]
    for text in (params.get("ResourceArn"), params.get("ResourceId")):
        found = re.search(r"table/([^/]+)", text or "")
        if found:
            return found.group(1)
    resources = (params.get("BackupSelection") or {}).get("Resources") or []
    return re.search(r"table/([^/]+)", resources[0]).group(1) if resources else None


def harden(fleet, tmp_path, *extra):
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG)
    return run(
        [
            "harden",
            "--endpoint-url",
            fleet.url,
            "--region",
            "us-east-1",
            "--config",
            str(config),
            "--state-dir",
            str(tmp_path / "state"),
            "--poll-interval",
            "0.01",
            "--yes",
            "--format",
            "json",
            *extra,
        ]
    )


def test_prefix_changes_only_its_tables_and_the_key_it_creates(fleet, tmp_path, recorder, capsys):
    assert harden(fleet, tmp_path, "--prefix", "sentinel-", "--create-key") == 0
    result = json.loads(capsys.readouterr().out)
    assert {r["resource"]["name"] for r in result["results"]} >= {
        "sentinel-breakglass",
        "sentinel-sessions",
    }
    calls = mutating(recorder)
    assert calls, "nothing was changed"
    created_key = None
    for call, params in calls:
        if call.service == "kms":
            if call.operation == "CreateKey":
                created_key = "?"  # its id is in the response; EnableKeyRotation names it
                continue
            assert call.operation in ("EnableKeyRotation", "CreateAlias"), call
            key = params.get("KeyId") or params.get("TargetKeyId")
            assert key not in fleet.manifest.kms_keys.values(), "a key outside the selection"
            continue
        assert call.service in ("dynamodb", "application-autoscaling", "backup"), call
        assert (table_of(params) or "").startswith("sentinel-"), (call, params)
    assert created_key  # the key for the selected tables was created
    dax = boto3.client("dax", region_name="us-east-1", endpoint_url=fleet.url)
    stacked = dax.describe_clusters(ClusterNames=["dax-stacked"])["Clusters"][0]
    assert stacked["TotalNodes"] == 3  # untouched (the issue: planned on it before)


def test_dax_cluster_filter_changes_only_that_cluster(fleet, tmp_path, recorder, capsys):
    assert harden(fleet, tmp_path, "--dax-cluster", "dax-stacked") == 0
    capsys.readouterr()
    calls = mutating(recorder)
    assert [(c.action, p["ClusterName"]) for c, p in calls] == [
        ("dax:IncreaseReplicationFactor", "dax-stacked")
    ]


def test_only_outside_the_selection_is_a_usage_error(fleet, tmp_path, recorder, capsys):
    assert harden(fleet, tmp_path, "--table", "catalog", "--only", "DDB.015") == 2
    assert "--include vpc" in capsys.readouterr().err
    assert mutating(recorder) == []
