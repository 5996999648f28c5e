"""The YAML configuration: baseline parameters, per-control settings and suppressions.

Validated strictly: an unknown key or a wrong type is a ConfigError naming the key path, the
file and the line, so a typo never silently weakens the baseline.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dynaguard.errors import ConfigError

STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class AutoscalingRule:
    target_utilization: float = 70.0
    min_target: float = 20.0
    max_target: float = 90.0
    min_capacity: int | None = None
    max_capacity: int | None = None


@dataclass(frozen=True, slots=True)
class Baseline:
    encryption: str = "cmk"  # cmk | kms
    allowed_kms_keys: tuple[str, ...] = ()
    pitr_min_days: int = 35
    trusted_accounts: tuple[str, ...] = ()
    trusted_org_ids: tuple[str, ...] = ()
    stream_view_types: tuple[str, ...] = ("NEW_AND_OLD_IMAGES",)
    required_tags: tuple[str, ...] = ()
    autoscaling: AutoscalingRule = field(default_factory=AutoscalingRule)
    dax_min_azs: int = 2
    dax_min_nodes: int = 3


@dataclass(frozen=True, slots=True)
class ControlSettings:
    enabled: bool = True
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    control: str
    resources: tuple[str, ...]
    reason: str
    expires: dt.date | None = None

    def matches(self, control_id: str, resource_ids: tuple[str, ...]) -> bool:
        if self.control not in (control_id, "*"):
            return False
        return any(
            fnmatch.fnmatchcase(rid, pattern) for rid in resource_ids for pattern in self.resources
        )

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, slots=True)
class BackupPlanChoice:
    """Where ``dynaguard harden`` adds tables for DDB.005: an existing plan (name or id) that
    gets one new selection per table, or the plan ``--create-backup-plan`` creates."""

    plan: str | None = None
    iam_role_arn: str | None = None  # default: the AWSBackupDefaultServiceRole of the account
    retention_days: int = 35
    vault: str = "Default"


@dataclass(frozen=True, slots=True)
class HardenSettings:
    """The ``harden:`` section: what ``dynaguard harden`` may set, where the issue leaves a
    choice to the user. ``kms_key`` maps a region (or ``*`` for every region) to a key."""

    kms_key: Mapping[str, str] = field(default_factory=dict)
    ttl_attributes: Mapping[str, str] = field(default_factory=dict)
    default_tags: Mapping[str, str] = field(default_factory=dict)
    backup_tag: tuple[str, str] | None = None
    backup_plan: BackupPlanChoice | None = None
    max_capacity_multiple: int = 4
    pitr_days: int = 35
    opt_in: tuple[str, ...] = ()
    # DDB.018: region -> SNS topic ARN the throttling alarms notify; M of N one-minute periods.
    alarm_topic: Mapping[str, str] = field(default_factory=dict)
    alarm_datapoints: int = 1
    alarm_evaluation_periods: int = 1


HARDEN_OPT_IN = ("DDB.006", "DDB.013", "DDB.015")


@dataclass(frozen=True, slots=True)
class Config:
    baseline: Baseline = field(default_factory=Baseline)
    controls: Mapping[str, ControlSettings] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    path: str | None = None
    harden: HardenSettings = field(default_factory=HardenSettings)


# --- loading -------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {}
    for key_node, _ in node.value:
        lines[key_node.value] = key_node.start_mark.line + 1
    return _LinedDict(mapping, lines, node.start_mark.line + 1)


class _LinedDict(dict[Any, Any]):
    def __init__(self, data: dict[Any, Any], lines: dict[Any, int], line: int) -> None:
        super().__init__(data)
        self.lines = lines
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(
        self, where: str, message: str, node: Any = None, key: str | None = None
    ) -> ConfigError:
        line = None
        if isinstance(node, _LinedDict):
            line = node.lines.get(key, node.line) if key is not None else node.line
        loc = f"{self.path}:{line}" if line else self.path
        return ConfigError(f"{loc}: {where}: {message}")

    def mapping(self, node: Any, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, got {type(node).__name__}")
        for key in node:
            if key not in allowed:
                hint = _closest(str(key), allowed)
                raise self.fail(
                    f"{where}.{key}" if where else str(key),
                    f"unknown key{hint}; allowed: {', '.join(allowed)}",
                    node,
                    key,
                )
        return node

    def typed(self, parent: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        value = parent[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(f"{where}.{key}", "expected a number, got a boolean", parent, key)
        if not isinstance(value, kind):
            name = kind.__name__ if isinstance(kind, type) else "number"
            raise self.fail(
                f"{where}.{key}", f"expected {name}, got {type(value).__name__}", parent, key
            )
        return value

    def str_list(self, parent: Any, key: str, where: str) -> tuple[str, ...]:
        value = parent[key]
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(f"{where}.{key}", "expected a list of strings", parent, key)
        return tuple(str(v) for v in value)


def _closest(word: str, choices: tuple[str, ...]) -> str:
    import difflib

    match = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def load_config(path: str | Path | None) -> Config:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{p}:{mark.line + 1}" if mark is not None else str(p)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{loc}: invalid YAML: {problem}") from None
    return parse_config(data, str(p))


def parse_config(data: Any, path: str = "<config>") -> Config:
    v = _Validator(path)
    top = v.mapping(data, "", ("baseline", "controls", "suppressions", "harden"))
    baseline = _parse_baseline(v, top.get("baseline"))
    from dynaguard.config_harden import parse_harden

    return Config(
        baseline=baseline,
        controls=_parse_controls(v, top.get("controls")),
        suppressions=_parse_suppressions(v, top.get("suppressions"), top),
        path=path,
        harden=parse_harden(v, top.get("harden"), baseline),
    )


def _parse_baseline(v: _Validator, node: Any) -> Baseline:
    keys = (
        "encryption",
        "allowed_kms_keys",
        "pitr_min_days",
        "trusted_accounts",
        "trusted_org_ids",
        "stream_view_types",
        "required_tags",
        "autoscaling",
        "dax_min_azs",
        "dax_min_nodes",
    )
    b = v.mapping(node, "baseline", keys)
    kw: dict[str, Any] = {}
    if "encryption" in b:
        enc = b["encryption"]
        if enc not in ("cmk", "kms"):
            raise v.fail(
                "baseline.encryption", f"must be 'cmk' or 'kms', got {enc!r}", b, "encryption"
            )
        kw["encryption"] = enc
    for key in ("allowed_kms_keys", "trusted_accounts", "trusted_org_ids", "required_tags"):
        if key in b:
            kw[key] = v.str_list(b, key, "baseline")
    for key in kw.get("trusted_accounts", ()):
        if not re.fullmatch(r"\d{12}", key):
            raise v.fail(
                "baseline.trusted_accounts",
                f"{key!r} is not a 12-digit account id",
                b,
                "trusted_accounts",
            )
    for arn in kw.get("allowed_kms_keys", ()):
        if not arn.startswith("arn:aws") or ":kms:" not in arn:
            raise v.fail(
                "baseline.allowed_kms_keys", f"{arn!r} is not a KMS key ARN", b, "allowed_kms_keys"
            )
    if "pitr_min_days" in b:
        days = v.typed(b, "pitr_min_days", "baseline", int)
        if not 1 <= days <= 35:
            raise v.fail(
                "baseline.pitr_min_days",
                f"must be 1 to 35 (AWS limit), got {days}",
                b,
                "pitr_min_days",
            )
        kw["pitr_min_days"] = days
    if "stream_view_types" in b:
        views = v.str_list(b, "stream_view_types", "baseline")
        bad = [x for x in views if x not in STREAM_VIEW_TYPES]
        if bad or not views:
            raise v.fail(
                "baseline.stream_view_types",
                f"must be a non-empty list of {', '.join(STREAM_VIEW_TYPES)}",
                b,
                "stream_view_types",
            )
        kw["stream_view_types"] = views
    for key in ("dax_min_azs", "dax_min_nodes"):
        if key in b:
            n = v.typed(b, key, "baseline", int)
            if n < 1:
                raise v.fail(f"baseline.{key}", "must be at least 1", b, key)
            kw[key] = n
    if "autoscaling" in b:
        kw["autoscaling"] = _parse_autoscaling(v, b["autoscaling"])
    return Baseline(**kw)


def _parse_autoscaling(v: _Validator, node: Any) -> AutoscalingRule:
    keys = ("target_utilization", "min_target", "max_target", "min_capacity", "max_capacity")
    a = v.mapping(node, "baseline.autoscaling", keys)
    kw: dict[str, Any] = {}
    for key in ("target_utilization", "min_target", "max_target"):
        if key in a:
            value = float(v.typed(a, key, "baseline.autoscaling", (int, float)))
            if not 20 <= value <= 90:
                raise v.fail(
                    f"baseline.autoscaling.{key}",
                    f"must be 20 to 90 (AWS limit), got {value:g}",
                    a,
                    key,
                )
            kw[key] = value
    for key in ("min_capacity", "max_capacity"):
        if key in a:
            n = v.typed(a, key, "baseline.autoscaling", int)
            if n < 1:
                raise v.fail(f"baseline.autoscaling.{key}", "must be at least 1", a, key)
            kw[key] = n
    return AutoscalingRule(**kw)


def _parse_controls(v: _Validator, node: Any) -> dict[str, ControlSettings]:
    from dynaguard.controls.registry import control_ids

    known_ids = tuple(control_ids())
    c = v.mapping(node, "controls", known_ids)
    out: dict[str, ControlSettings] = {}
    for cid, settings in c.items():
        s = v.mapping(settings, f"controls.{cid}", ("enabled", "severity"))
        enabled = v.typed(s, "enabled", f"controls.{cid}", bool) if "enabled" in s else True
        severity = None
        if "severity" in s:
            severity = s["severity"]
            if severity not in SEVERITIES:
                raise v.fail(
                    f"controls.{cid}.severity",
                    f"must be one of {', '.join(SEVERITIES)}",
                    s,
                    "severity",
                )
        out[cid] = ControlSettings(enabled=enabled, severity=severity)
    return out


def _parse_suppressions(v: _Validator, node: Any, parent: Any) -> tuple[Suppression, ...]:
    if node is None:
        return ()
    if not isinstance(node, list):
        raise v.fail("suppressions", "expected a list", parent, "suppressions")
    from dynaguard.controls.registry import control_ids

    known_ids = set(control_ids())
    out = []
    for i, item in enumerate(node):
        where = f"suppressions[{i}]"
        s = v.mapping(item, where, ("control", "resources", "reason", "expires"))
        for required in ("control", "resources", "reason"):
            if required not in s:
                raise v.fail(where, f"missing '{required}'", s)
        ctl = s["control"]
        if ctl != "*" and ctl not in known_ids:
            raise v.fail(f"{where}.control", f"unknown control {ctl!r}", s, "control")
        resources = v.str_list(s, "resources", where)
        if not resources:
            raise v.fail(
                f"{where}.resources", "needs at least one resource pattern", s, "resources"
            )
        reason = s["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise v.fail(f"{where}.reason", "a suppression needs a reason", s, "reason")
        expires = s.get("expires")
        if expires is not None:
            if isinstance(expires, str):
                try:
                    expires = dt.date.fromisoformat(expires)
                except ValueError:
                    raise v.fail(
                        f"{where}.expires", f"{expires!r} is not a date (YYYY-MM-DD)", s, "expires"
                    ) from None
            elif isinstance(expires, dt.datetime):
                expires = expires.date()
            elif not isinstance(expires, dt.date):
                raise v.fail(f"{where}.expires", "expected a date (YYYY-MM-DD)", s, "expires")
        out.append(Suppression(str(ctl), resources, reason.strip(), expires))
    return tuple(out)
