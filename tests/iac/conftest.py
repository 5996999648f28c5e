"""Helpers for the IaC tests: scan a fixture, look up one finding's status."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.config import Baseline, Config
from dynaguard.iac_scan import IacResult, scan_iac
from dynaguard.report import Finding

FIXTURES = Path(__file__).parent / "fixtures"
TAGGED = Config(baseline=Baseline(required_tags=("owner",)))


def scan(*parts: str, config: Config = TAGGED, **kwargs: object) -> IacResult:
    return scan_iac([FIXTURES.joinpath(*parts)], config=config, **kwargs)  # type: ignore[arg-type]


def findings(
    result: IacResult, control: str, resource: str, region: str | None = None
) -> list[Finding]:
    return [
        f
        for f in result.report.findings
        if f.control_id == control
        and f.resource_id == resource
        and (region is None or f.region == region)
    ]


def status_of(result: IacResult, control: str, resource: str, region: str | None = None) -> str:
    found = findings(result, control, resource, region)
    assert len(found) == 1, (
        f"{control} {resource} {region}: {[(f.status, f.region) for f in found]}"
    )
    return found[0].status.value


@pytest.fixture(scope="session")
def tf_pass() -> IacResult:
    return scan("terraform", "pass")


@pytest.fixture(scope="session")
def tf_fail() -> IacResult:
    return scan("terraform", "fail")


@pytest.fixture(scope="session")
def tf_unknown() -> IacResult:
    return scan("terraform", "unknown")


@pytest.fixture(scope="session")
def plan_pass() -> IacResult:
    return scan("plan", "pass.json")


@pytest.fixture(scope="session")
def plan_fail() -> IacResult:
    return scan("plan", "fail.json")


@pytest.fixture(scope="session")
def cfn_pass() -> IacResult:
    return scan("cloudformation", "pass.yaml")


@pytest.fixture(scope="session")
def cfn_fail() -> IacResult:
    return scan("cloudformation", "fail.yaml")


@pytest.fixture(scope="session")
def cfn_unknown() -> IacResult:
    return scan("cloudformation", "unknown.yaml")
