"""The ``harden:`` section of the configuration file, as a pydantic model (see config_model).

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
from typing import Annotated, Any

from pydantic import AfterValidator, PlainValidator

from dynaguard.config import HARDEN_OPT_IN, BackupPlanChoice, Baseline, HardenSettings
from dynaguard.doc_models import StrictModel, Text, bounded, check, check_region_key
from dynaguard.model import aws_rules
from dynaguard.model.aws_rules import is_kms_key_ref
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import Document, Problem

_ATTRIBUTE = re.compile(r"^[^\s]{1,255}$")

PitrDays = Annotated[int, bounded(aws_rules.PITR_MIN_DAYS, aws_rules.PITR_MAX_DAYS, " (AWS limit)")]
AtLeastOne = Annotated[int, bounded(1, None)]


def _kms_keys(value: Any) -> dict[str, str]:
    """``kms_key``: one key for every region, or a mapping region (or ``*``) -> key."""
    keys = {"*": value} if isinstance(value, str) else value
    check(isinstance(keys, dict), "expected a key id/ARN/alias, or a mapping of region to key")
    for region, key in keys.items():
        check_region_key(region)
        check(
            isinstance(key, str) and is_kms_key_ref(key),
            f"{short_repr(key)} is not a KMS key id, ARN or alias",
        )
    return dict(keys)


def _attribute(value: str) -> str:
    check(bool(_ATTRIBUTE.match(value)), f"{short_repr(value)} is not an attribute name")
    return value


def _one_tag(value: dict[str, str]) -> dict[str, str]:
    check(len(value) == 1, "expected one {key: value}")
    return value


def _opt_in(values: list[str]) -> list[str]:
    bad = [v for v in values if v not in HARDEN_OPT_IN]
    check(
        not bad,
        f"{short_repr(', '.join(bad), 80, False)}: only {', '.join(HARDEN_OPT_IN)} are opt-in",
    )
    return values


def _role_arn(value: str) -> str:
    check(bool(aws_rules.IAM_ROLE_ARN.match(value)), "not an IAM role ARN")
    return value


def topics_by_region(topics: list[str]) -> dict[str, str]:
    """SNS topic ARNs keyed by their region; raises ValueError naming a bad or doubled one."""
    from dynaguard.model.alarms import TOPIC_ARN

    out: dict[str, str] = {}
    for topic in topics:
        match = TOPIC_ARN.match(topic)
        if not match:
            raise ValueError(
                f"{short_repr(topic)} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
            )
        if match.group(1) in out:
            raise ValueError(f"two topics for {match.group(1)}: one per region")
        out[match.group(1)] = topic
    return out


def _alarm_topics(value: Any) -> dict[str, str]:
    """``alarm_topic``: one SNS topic ARN, or a list of them (one per region)."""
    topics = [value] if isinstance(value, str) else value
    check(
        isinstance(topics, list) and all(isinstance(t, str) for t in topics),
        "expected an SNS topic ARN, or a list of them (one per region)",
    )
    return topics_by_region(topics)


# PutMetricAlarm: EvaluationPeriods x Period (60 s) is at most one day.
AlarmPeriods = Annotated[int, bounded(1, 1440)]


class BackupPlanModel(StrictModel):
    plan: str | None = None
    iam_role_arn: Annotated[str, AfterValidator(_role_arn)] | None = None
    retention_days: AtLeastOne | None = None
    vault: str | None = None


class HardenModel(StrictModel):
    kms_key: Annotated[dict[str, str], PlainValidator(_kms_keys)] | None = None
    ttl_attributes: dict[Text, Annotated[Text, AfterValidator(_attribute)]] | None = None
    default_tags: dict[Text, Text] | None = None
    backup_tag: Annotated[dict[Text, Text], AfterValidator(_one_tag)] | None = None
    backup_plan: BackupPlanModel | None = None
    max_capacity_multiple: Annotated[int, bounded(1, 1000)] | None = None
    pitr_days: PitrDays | None = None
    opt_in: Annotated[list[Text], AfterValidator(_opt_in)] | None = None
    alarm_topic: Annotated[dict[str, str], PlainValidator(_alarm_topics)] | None = None
    alarm_datapoints: AlarmPeriods | None = None
    alarm_evaluation_periods: AlarmPeriods | None = None


def harden_settings(
    model: HardenModel | None, baseline: Baseline, doc: Document
) -> tuple[HardenSettings, list[Problem]]:
    """The section as :class:`HardenSettings`, and the problems that span sections."""
    if model is None:
        return HardenSettings(), []
    values = model.model_dump(exclude_none=True)
    problems = []
    keys = values.get("kms_key")
    if keys and list(keys) == ["*"] and keys["*"].startswith("arn:"):
        values["kms_key"] = {keys["*"].split(":")[3]: keys["*"]}  # a key ARN lives in one region
    if "backup_tag" in values:
        values["backup_tag"] = next(iter(values["backup_tag"].items()))
    if model.backup_plan is not None:
        values["backup_plan"] = BackupPlanChoice(**model.backup_plan.model_dump(exclude_none=True))
    if "opt_in" in values:
        values["opt_in"] = tuple(values["opt_in"])
    days = values.get("pitr_days")
    if days is not None and days < baseline.pitr_min_days:
        path = ("harden", "pitr_days")
        message = (
            f"{days} is below baseline.pitr_min_days ({baseline.pitr_min_days}): the fix "
            "would not pass the control"
        )
        problems.append(Problem(path, message, doc.line_of(path)))
    problems += _alarm_periods(values, doc)
    return HardenSettings(**values), problems


def _alarm_periods(values: dict[str, Any], doc: Document) -> list[Problem]:
    """M of N: datapoints default the evaluation periods, and never exceed them."""
    datapoints = values.get("alarm_datapoints")
    if datapoints is None:
        return []
    periods = values.setdefault("alarm_evaluation_periods", datapoints)
    if datapoints <= periods:
        return []
    path = ("harden", "alarm_datapoints")
    message = f"{datapoints} must not exceed alarm_evaluation_periods ({periods})"
    return [Problem(path, message, doc.line_of(path))]


__all__ = ["AtLeastOne", "HardenModel", "PitrDays", "harden_settings", "topics_by_region"]
