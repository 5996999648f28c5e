"""The policy case table (cases.py) on all three sources: the live emulator, Terraform and
CloudFormation must each give every case its expected verdict, severity and reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.config import Config as BotoConfig
from moto import mock_aws

from dynaguard.config import Baseline, Config
from dynaguard.emulator import apply_patches
from dynaguard.engine import scan
from dynaguard.iac_scan import scan_iac
from dynaguard.report import Finding
from tests.policy_cases import render_iac, render_live
from tests.policy_cases.cases import CASES, ORG, TRUSTED, VPCE, Case

CONFIG = Config(
    baseline=Baseline(
        trusted_accounts=(TRUSTED,), trusted_org_ids=(ORG,), trusted_vpc_endpoints=(VPCE,)
    )
)
CONTROLS = ["DDB.006", "DDB.012"]
Found = dict[tuple[str, str], list[Finding]]


def index(findings: list[Finding]) -> Found:
    out: Found = {}
    for f in findings:
        out.setdefault((f.control_id, f.resource_id), []).append(f)
    return out


@pytest.fixture(scope="module")
def live() -> Iterator[Found]:
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in {**env, "AWS_DEFAULT_REGION": "us-east-1"}.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            mp.delenv(k, raising=False)
        apply_patches()
        with mock_aws():
            retry = BotoConfig(retries={"total_max_attempts": 1})
            render_live.seed(lambda s: boto3.client(s, region_name="us-east-1", config=retry))
            report = scan(config=CONFIG, controls=CONTROLS, regions=("us-east-1",))
            yield index(list(report.findings))


@pytest.fixture(scope="module")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Found:
    root = tmp_path_factory.mktemp("tf")
    (root / "main.tf").write_text(render_iac.terraform_module())
    result = scan_iac([root], config=CONFIG)
    return index([f for f in result.report.findings if f.control_id in CONTROLS])


@pytest.fixture(scope="module")
def cloudformation(tmp_path_factory: pytest.TempPathFactory) -> Found:
    path = tmp_path_factory.mktemp("cfn") / "cases.json"
    path.write_text(json.dumps(render_iac.cloudformation_template(), indent=1))
    result = scan_iac([path], config=CONFIG)
    return index([f for f in result.report.findings if f.control_id in CONTROLS])


SOURCES: dict[str, Callable[[Case], str]] = {
    "live": render_live.live_resource_id,
    "terraform": render_iac.tf_resource_id,
    "cloudformation": render_iac.cfn_resource_id,
}


def check(found: Found, case: Case, resource_id: str) -> None:
    hits = found.get((case.control, resource_id), [])
    assert len(hits) == 1, f"{case.id}: {len(hits)} {case.control} findings for {resource_id}"
    finding = hits[0]
    where = f"{case.id} ({case.rule}; {case.doc})"
    assert finding.status.value == case.status, f"{where}: {finding.reason}"
    for fragment in case.reason:
        assert fragment in finding.reason, f"{where}: {fragment!r} not in {finding.reason!r}"
    if case.severity:
        assert finding.severity.value == case.severity, where


def test_the_table_is_large_and_documented() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert all(c.doc.startswith("https://docs.aws.amazon.com/") and c.rule for c in CASES)
    kinds = {c.kind for c in CASES}
    assert kinds == {"resource", "stream", "inline", "managed", "unattached", "aws_managed"}
    assert {c.status for c in CASES} == {"PASS", "FAIL", "UNKNOWN"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_live(live: Found, case: Case) -> None:
    check(live, case, SOURCES["live"](case))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_terraform(terraform: Found, case: Case) -> None:
    check(terraform, case, SOURCES["terraform"](case))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cloudformation(cloudformation: Found, case: Case) -> None:
    check(cloudformation, case, SOURCES["cloudformation"](case))
