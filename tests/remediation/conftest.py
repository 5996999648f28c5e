"""A fresh demo fleet per module (harden changes it), with UPDATING switched on.

moto's state is process-global: each module gets the fleet as seeded (restored from this
process's copy, see tests/integration/conftest.py), and the tests of a module run in order
against it (each says what state it expects).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from dynaguard.cli.demo import demo_config
from dynaguard.emulator.patches_table_status import set_update_settle
from dynaguard.remediation.base import Options
from dynaguard.remediation.steps import Timing
from dynaguard.sources.aws.options import AwsOptions
from tests.integration.conftest import ENV, Fleet, fresh_fleet

FAST = Timing(poll_s=0.01, poll_max_s=0.05, timeout_s=30, retry_base_s=0.01, retry_max_s=0.05)


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    with fresh_fleet() as fleet:
        set_update_settle(2)
        try:
            yield fleet
        finally:
            set_update_settle(0)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def aws_options(fleet: Fleet, url: str | None = None, **kw: object) -> AwsOptions:
    return AwsOptions(regions=(fleet.manifest.primary_region,), endpoint_url=url or fleet.url, **kw)  # type: ignore[arg-type]


def demo_options(create_key: bool = True, **settings: object) -> tuple[object, Options]:
    config = demo_config(None)
    harden = replace(config.harden, **settings)  # type: ignore[arg-type]
    config = replace(config, harden=harden)
    return config, Options(settings=harden, create_key=create_key)


def write_demo_config(path, ttl: bool = False) -> str:  # type: ignore[no-untyped-def]
    """The demo config as YAML, for CLI tests."""
    text = (
        "baseline:\n  required_tags: [owner, cost-center]\n"
        "harden:\n"
        "  kms_key: {us-east-1: alias/sentinel-cmk, eu-west-1: alias/sentinel-cmk-replica}\n"
        "  default_tags: {owner: platform-team, cost-center: cc-0000}\n"
        "  backup_tag: {backup: daily}\n"
    )
    if ttl:
        text += "  ttl_attributes: {sentinel-breakglass: expires_at}\n"
    path.write_text(text)
    return str(path)
