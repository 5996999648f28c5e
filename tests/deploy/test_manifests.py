"""deploy/: the CloudFormation templates pass cfn-lint, the Kubernetes manifests validate against
the Kubernetes schemas (kubernetes-validate, offline), and they agree with the product: the
member role grants exactly the audit policy's reads, the shard count is the same everywhere."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from cfnlint.api import lint_file

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
TEMPLATES = sorted(DEPLOY.glob("**/*.yaml"))
CFN = [t for t in TEMPLATES if "AWSTemplateFormatVersion" in t.read_text()]
K8S = [t for t in TEMPLATES if t not in CFN]


def audit_actions() -> dict[str, set[str]]:
    text = resources.files("dynaguard.policies").joinpath("audit-policy.json").read_text()
    return {st["Sid"]: set(st["Action"]) for st in json.loads(text)["Statement"]}


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags kept as plain values."""


CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_there_are_templates_of_both_kinds() -> None:
    assert {p.name for p in CFN} == {"member-role.yaml", "stackset.yaml", "dynaguard-batch.yaml"}
    assert [p.name for p in K8S] == ["dynaguard-scan.yaml"]


@pytest.mark.parametrize("template", CFN, ids=lambda p: p.name)
def test_cloudformation_templates_pass_cfn_lint(template: Path) -> None:
    matches = lint_file(template)
    assert not matches, [str(m) for m in matches]


def test_cfn_lint_does_find_errors(tmp_path: Path) -> None:  # the check above is not a no-op
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Rolex\n"
    )
    assert any("E3006" in str(m) for m in lint_file(broken))


def k8s_documents() -> list[dict]:
    return [d for p in K8S for d in yaml.safe_load_all(p.read_text()) if d]


@pytest.mark.parametrize(
    "doc", k8s_documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}"
)
def test_kubernetes_manifests_match_the_schema(doc: dict) -> None:
    kubernetes_validate.validate(doc, "1.31", strict=True)


def test_the_schema_check_rejects_a_wrong_field() -> None:
    job = next(d for d in k8s_documents() if d["metadata"]["name"] == "dynaguard-scan")
    bad = json.loads(json.dumps(job))
    bad["spec"]["completionMod"] = "Indexed"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.31", strict=True)


def test_indexed_job_runs_n_shards_and_says_n() -> None:
    job = next(d for d in k8s_documents() if d["metadata"]["name"] == "dynaguard-scan")
    spec = job["spec"]
    env = {e["name"]: e.get("value") for e in spec["template"]["spec"]["containers"][0]["env"]}
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == int(env["DYNAGUARD_SHARDS"])
    command = " ".join(spec["template"]["spec"]["containers"][0]["args"])
    assert "dynaguard scan --org --role-name dynaguard-audit" in command
    merge = next(d for d in k8s_documents() if d["metadata"]["name"] == "dynaguard-merge")
    args = " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"])
    assert args.startswith("dynaguard merge s3://") or 'dynaguard merge "s3://' in args


def test_member_role_grants_the_audit_reads_and_nothing_else() -> None:
    template = yaml.load((DEPLOY / "iam" / "member-role.yaml").read_text(), Loader=CfnLoader)
    policy = template["Resources"]["AuditRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    granted = {a for st in policy["Statement"] for a in st["Action"]}
    audit = audit_actions()
    member_reads = audit["DynamoDBRead"] | audit["RegionWideReads"] | audit["AccountWideReads"]
    assert granted == member_reads


def test_scanner_policies_cover_the_organization_calls() -> None:
    audit = audit_actions()
    scanner = json.loads((DEPLOY / "iam" / "scanner-policy.json").read_text())
    granted = {a for st in scanner["Statement"] for a in st["Action"]}
    assert audit["OrganizationAccounts"] | audit["AssumeMemberAuditRole"] <= granted
    batch = yaml.load((DEPLOY / "aws-batch" / "dynaguard-batch.yaml").read_text(), Loader=CfnLoader)
    role = batch["Resources"]["ScannerRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    batch_actions = set()
    for st in role["Statement"]:
        batch_actions |= {st["Action"]} if isinstance(st["Action"], str) else set(st["Action"])
    assert audit["OrganizationAccounts"] | audit["AssumeMemberAuditRole"] <= batch_actions
    assert {"s3:PutObject", "s3:GetObject", "s3:ListBucket"} <= batch_actions


def test_batch_shards_read_their_index_and_count() -> None:
    text = (DEPLOY / "aws-batch" / "dynaguard-batch.yaml").read_text()
    assert "--shards Ref::shards" in text and "--org --role-name dynaguard-audit" in text
    assert "dynaguard merge s3://" in text
    submit = (DEPLOY / "aws-batch" / "submit.sh").read_text()
    assert "--array-properties" in submit and "--depends-on" in submit
