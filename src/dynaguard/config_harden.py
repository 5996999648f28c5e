"""The ``harden:`` section of the configuration, validated like the rest of config.py.

harden:
  kms_key: alias/app-cmk            # or {us-east-1: arn:aws:kms:..., eu-west-1: alias/x}
  ttl_attributes: {sessions: expires_at}
  default_tags: {owner: platform}
  backup_tag: {backup: daily}       # DDB.005: tag tables so a tag-based selection covers them
  backup_plan: {plan: sentinel-daily, iam_role_arn: arn:aws:iam::...:role/..., retention_days: 35}
  max_capacity_multiple: 4          # DDB.004: max capacity = current capacity x this
  pitr_days: 35                     # DDB.002 / DDB.011 window (>= baseline.pitr_min_days)
  opt_in: [DDB.013]                 # DDB.006, DDB.013, DDB.015 are fixed only when named
  alarm_topic: arn:aws:sns:us-east-1:123456789012:ops   # DDB.018 (a list: one per region)
  alarm_datapoints: 1               # DDB.018: alarm on M of N one-minute periods ...
  alarm_evaluation_periods: 1       # ... with any throttle event
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dynaguard.config import HARDEN_OPT_IN, BackupPlanChoice, Baseline, HardenSettings

if TYPE_CHECKING:
    from dynaguard.config import _Validator

HARDEN_KEYS = (
    "kms_key",
    "ttl_attributes",
    "default_tags",
    "backup_tag",
    "backup_plan",
    "max_capacity_multiple",
    "pitr_days",
    "opt_in",
    "alarm_topic",
    "alarm_datapoints",
    "alarm_evaluation_periods",
)
_REGION = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d+|\*)$")
_ATTRIBUTE = re.compile(r"^[^\s]{1,255}$")


def is_kms_key_ref(value: str) -> bool:
    """A key id, key ARN, alias name or alias ARN, as UpdateTable's KMSMasterKeyId accepts."""
    if value.startswith("alias/"):
        return len(value) > len("alias/")
    if value.startswith("arn:aws") and ":kms:" in value:
        return ":key/" in value or ":alias/" in value
    return re.fullmatch(r"[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32}", value) is not None


def parse_harden(v: _Validator, node: Any, baseline: Baseline) -> HardenSettings:
    h = v.mapping(node, "harden", HARDEN_KEYS)
    kw: dict[str, Any] = {}
    if "kms_key" in h:
        kw["kms_key"] = _kms_keys(v, h)
    for key in ("ttl_attributes", "default_tags"):
        if key in h:
            kw[key] = _str_map(v, h, key)
    if "ttl_attributes" in kw:
        for table, attribute in kw["ttl_attributes"].items():
            if not _ATTRIBUTE.match(attribute):
                raise v.fail(
                    f"harden.ttl_attributes.{table}", "not an attribute name", h, "ttl_attributes"
                )
    if "backup_tag" in h:
        tag = _str_map(v, h, "backup_tag")
        if len(tag) != 1:
            raise v.fail("harden.backup_tag", "expected one {key: value}", h, "backup_tag")
        kw["backup_tag"] = next(iter(tag.items()))
    if "backup_plan" in h:
        kw["backup_plan"] = _backup_plan(v, h["backup_plan"])
    if "max_capacity_multiple" in h:
        n = v.typed(h, "max_capacity_multiple", "harden", int)
        if not 1 <= n <= 1000:
            raise v.fail(
                "harden.max_capacity_multiple", "must be 1 to 1000", h, "max_capacity_multiple"
            )
        kw["max_capacity_multiple"] = n
    if "pitr_days" in h:
        days = v.typed(h, "pitr_days", "harden", int)
        if not 1 <= days <= 35:
            raise v.fail(
                "harden.pitr_days", f"must be 1 to 35 (AWS limit), got {days}", h, "pitr_days"
            )
        if days < baseline.pitr_min_days:
            raise v.fail(
                "harden.pitr_days",
                f"{days} is below baseline.pitr_min_days ({baseline.pitr_min_days}): the fix "
                "would not pass the control",
                h,
                "pitr_days",
            )
        kw["pitr_days"] = days
    if "opt_in" in h:
        ids = v.str_list(h, "opt_in", "harden")
        bad = [i for i in ids if i not in HARDEN_OPT_IN]
        if bad:
            raise v.fail(
                "harden.opt_in",
                f"{', '.join(bad)}: only {', '.join(HARDEN_OPT_IN)} are opt-in",
                h,
                "opt_in",
            )
        kw["opt_in"] = ids
    kw.update(_alarm_settings(v, h))
    return HardenSettings(**kw)


def topics_by_region(topics: list[str]) -> dict[str, str]:
    """SNS topic ARNs keyed by their region; raises ValueError naming a bad or doubled one."""
    from dynaguard.model.alarms import TOPIC_ARN

    out: dict[str, str] = {}
    for topic in topics:
        match = TOPIC_ARN.match(topic)
        if not match:
            raise ValueError(f"{topic!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
        if match.group(1) in out:
            raise ValueError(f"two topics for {match.group(1)}: one per region")
        out[match.group(1)] = topic
    return out


def _alarm_settings(v: _Validator, h: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if "alarm_topic" in h:
        raw = h["alarm_topic"]
        topics = [raw] if isinstance(raw, str) else list(v.str_list(h, "alarm_topic", "harden"))
        try:
            kw["alarm_topic"] = topics_by_region(topics)
        except ValueError as exc:
            raise v.fail("harden.alarm_topic", str(exc), h, "alarm_topic") from None
    for key in ("alarm_datapoints", "alarm_evaluation_periods"):
        if key in h:
            n = v.typed(h, key, "harden", int)
            if not 1 <= n <= 1440:  # PutMetricAlarm: periods x 60 s at most one day
                raise v.fail(f"harden.{key}", "must be 1 to 1440", h, key)
            kw[key] = n
    if kw.get("alarm_datapoints", 1) > kw.get(
        "alarm_evaluation_periods", kw.get("alarm_datapoints", 1)
    ):
        raise v.fail(
            "harden.alarm_datapoints",
            "must not exceed alarm_evaluation_periods",
            h,
            "alarm_datapoints",
        )
    if "alarm_datapoints" in kw and "alarm_evaluation_periods" not in kw:
        kw["alarm_evaluation_periods"] = kw["alarm_datapoints"]
    return kw


def _str_map(v: _Validator, parent: Any, key: str) -> Mapping[str, str]:
    value = parent[key]
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(x, str | int) and not isinstance(x, bool)
        for k, x in value.items()
    ):
        raise v.fail(f"harden.{key}", "expected a mapping of strings", parent, key)
    return {k: str(x) for k, x in value.items()}


def _kms_keys(v: _Validator, h: Any) -> Mapping[str, str]:
    value = h["kms_key"]
    keys = {"*": value} if isinstance(value, str) else dict(_str_map(v, h, "kms_key"))
    for region, key in keys.items():
        if not _REGION.match(region):
            raise v.fail(f"harden.kms_key.{region}", "not a region name (or '*')", h, "kms_key")
        if not is_kms_key_ref(key):
            raise v.fail(
                "harden.kms_key", f"{key!r} is not a KMS key id, ARN or alias", h, "kms_key"
            )
        if region == "*" and key.startswith("arn:") and len(keys) == 1:
            keys = {key.split(":")[3]: key}  # a key ARN lives in one region
    return keys


def _backup_plan(v: _Validator, node: Any) -> BackupPlanChoice:
    keys = ("plan", "iam_role_arn", "retention_days", "vault")
    b = v.mapping(node, "harden.backup_plan", keys)
    kw: dict[str, Any] = {}
    for key in ("plan", "iam_role_arn", "vault"):
        if key in b:
            kw[key] = v.typed(b, key, "harden.backup_plan", str)
    if "iam_role_arn" in kw and not re.match(
        r"^arn:aws[\w-]*:iam::\d{12}:role/", kw["iam_role_arn"]
    ):
        raise v.fail("harden.backup_plan.iam_role_arn", "not an IAM role ARN", b, "iam_role_arn")
    if "retention_days" in b:
        days = v.typed(b, "retention_days", "harden.backup_plan", int)
        if days < 1:
            raise v.fail(
                "harden.backup_plan.retention_days", "must be at least 1", b, "retention_days"
            )
        kw["retention_days"] = days
    return BackupPlanChoice(**kw)
