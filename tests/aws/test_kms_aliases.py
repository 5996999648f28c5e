"""``baseline.allowed_kms_keys`` naming a key by alias ARN (QA F06): the collector reads each
customer key's aliases (kms:ListAliases, only when the config names an alias, so the API budget
is unchanged otherwise) and DDB.001 honours the alias exactly; aliases it cannot read make the
verdict UNKNOWN, never PASS."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.config import Baseline, Config
from dynaguard.controls.base import Status
from dynaguard.controls.registry import get_control
from dynaguard.engine import scan
from dynaguard.model import Known, Unknown
from dynaguard.sources.aws import AwsOptions, collect, facts_needed
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.kms import _collect_aliases
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.session import AwsSession
from tests.aws.conftest import ACCOUNT, REGION, Hooks, create_table

ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders-cmk"


@pytest.fixture
def keyed_table(aws: Any) -> str:
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/orders-cmk", TargetKeyId=key)
    other = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/other-cmk", TargetKeyId=other)
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
    create_table(aws("dynamodb"), "orders", SSESpecification=sse)
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other}
    create_table(aws("dynamodb"), "other", SSESpecification=sse)
    return key


def config(*allowed: str) -> Config:
    return Config(baseline=Baseline(allowed_kms_keys=allowed))


def test_aliases_are_read_only_when_the_config_names_an_alias() -> None:
    ddb001 = [get_control("DDB.001")]
    assert "kms.aliases" not in facts_needed(ddb001)
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b7a2f0e-1111-4c4c-9a9a-000000000001"
    assert "kms.aliases" not in facts_needed(ddb001, config(key_arn).baseline)
    assert "kms.aliases" in facts_needed(ddb001, config(ALIAS_ARN).baseline)
    assert "kms.aliases" not in facts_needed([get_control("DDB.003")], config(ALIAS_ARN).baseline)


def test_one_list_aliases_per_customer_key(keyed_table: str, hooks: Hooks) -> None:
    facts = frozenset({"kms.keys", "kms.aliases"})
    inventory = collect(AwsOptions(regions=(REGION,)), facts, run_id="t", recorder=hooks)
    assert hooks.by_action()["kms:ListAliases"] == 2
    key = inventory.regions[0].kms_keys[keyed_table]
    assert isinstance(key, Known) and isinstance(key.value.aliases, Known)
    assert key.value.aliases.value == ("alias/orders-cmk",)


def test_alias_entry_passes_the_table_whose_key_it_names(keyed_table: str, hooks: Hooks) -> None:
    report = scan(
        AwsOptions(regions=(REGION,)), config=config(ALIAS_ARN), controls=["DDB.001"],
        recorder=hooks,
    )  # fmt: skip
    verdicts = {f.resource_id: f.status for f in report.findings}
    assert verdicts == {"orders": Status.PASS, "other": Status.FAIL}


def test_denied_list_aliases_is_unknown(keyed_table: str, hooks: Hooks) -> None:
    hooks.fail("kms", "ListAliases", "AccessDeniedException", status=400)
    report = scan(
        AwsOptions(regions=(REGION,)), config=config(ALIAS_ARN), controls=["DDB.001"],
        recorder=hooks,
    )  # fmt: skip
    (orders,) = [f for f in report.findings if f.resource_id == "orders"]
    assert orders.status is Status.UNKNOWN
    assert "alias/orders-cmk" in orders.reason and "AccessDenied" in orders.reason


def test_another_accounts_key_is_unknown_without_a_call(aws: Any, hooks: Hooks) -> None:
    session = AwsSession(AwsOptions(regions=(REGION,)), "t", hooks)
    reader = RegionReader(session, BreakerBoard(), ACCOUNT, REGION)
    foreign = f"arn:aws:kms:{REGION}:999999999999:key/0b7a2f0e-1111-4c4c-9a9a-000000000001"
    aliases = _collect_aliases(reader, foreign)
    assert isinstance(aliases, Unknown) and "own account and region" in aliases.reason
    assert "kms:ListAliases" not in hooks.by_action()
