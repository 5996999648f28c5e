"""The configuration file's schema, as pydantic models, and its conversion to :class:`Config`.

Imported by ``config_load.load_config`` only when a file is read. Each model is one mapping of the
file; defaults are NOT repeated here: a key left out (or null) keeps the default of the
dataclass in ``config.py``, the one place defaults live. Rules that span sections (a harden
PITR window below the baseline's minimum) run after the models, on what is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator

from dynaguard.config import (
    AutoscalingRule,
    Baseline,
    Config,
    ControlSettings,
    EncryptionMode,
    Suppression,
)
from dynaguard.config_harden import AtLeastOne, HardenModel, PitrDays, harden_settings
from dynaguard.config_ops import (
    CostModel,
    DrillModel,
    IacModel,
    cost_settings,
    drill_settings,
    iac_settings,
)
from dynaguard.doc_models import (
    StrictModel,
    Text,
    bounded,
    check,
    did_you_mean,
    validate,
)
from dynaguard.model import aws_rules
from dynaguard.model.vocabulary import CONTROL_IDS
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import Document, Problem

# --- value types -----------------------------------------------------------------------------


def _account(value: str) -> str:
    check(
        aws_rules.ACCOUNT_ID.match(value) is not None,
        f"{short_repr(value)} is not a 12-digit account id",
    )
    return value


def _kms_arn(value: str) -> str:
    check(
        value.startswith("arn:aws") and ":kms:" in value,
        f"{short_repr(value)} is not a KMS key ARN",
    )
    return value


def _view_types(values: list[str]) -> list[str]:
    check(
        bool(values) and all(v in aws_rules.STREAM_VIEW_TYPES for v in values),
        f"must be a non-empty list of {', '.join(aws_rules.STREAM_VIEW_TYPES)}",
    )
    return values


def _control_id(value: str, wildcard: bool = False) -> str:
    known = sorted(CONTROL_IDS)
    if (wildcard and value == "*") or value in known:
        return value
    hint = did_you_mean(value, known)
    raise ValueError(f"unknown control {short_repr(value)}{hint}")


def _control_key(value: str) -> str:
    known = sorted(CONTROL_IDS)
    check(value in known, f"unknown key{did_you_mean(value, known)}: not a control id")
    return value


def _reason(value: str) -> str:
    check(bool(value.strip()), "a suppression needs a reason")
    return value.strip()


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{short_repr(value)} is not a date (YYYY-MM-DD)") from None
    return value


def _vpce_id(value: str) -> str:
    check(value.startswith("vpce-"), f"{value!r} is not a VPC endpoint id (vpce-...)")
    return value


def _vpc_id(value: str) -> str:
    check(value.startswith("vpc-"), f"{value!r} is not a VPC id (vpc-...)")
    return value


def _resources(values: list[str]) -> list[str]:
    check(bool(values), "needs at least one resource pattern")
    return values


Utilization = Annotated[float, bounded(aws_rules.TARGET_MIN, aws_rules.TARGET_MAX, " (AWS limit)")]

# --- the file --------------------------------------------------------------------------------


class AutoscalingModel(StrictModel):
    target_utilization: Utilization | None = None
    min_target: Utilization | None = None
    max_target: Utilization | None = None
    min_capacity: AtLeastOne | None = None
    max_capacity: AtLeastOne | None = None


class BaselineModel(StrictModel):
    encryption: Literal["cmk", "kms"] | None = None
    allowed_kms_keys: list[Annotated[Text, AfterValidator(_kms_arn)]] | None = None
    pitr_min_days: PitrDays | None = None
    trusted_accounts: list[Annotated[Text, AfterValidator(_account)]] | None = None
    trusted_org_ids: list[Text] | None = None
    trusted_vpc_endpoints: list[Annotated[Text, AfterValidator(_vpce_id)]] | None = None
    trusted_vpcs: list[Annotated[Text, AfterValidator(_vpc_id)]] | None = None
    stream_view_types: Annotated[list[Text], AfterValidator(_view_types)] | None = None
    required_tags: list[Text] | None = None
    autoscaling: AutoscalingModel | None = None
    dax_min_azs: AtLeastOne | None = None
    dax_min_nodes: AtLeastOne | None = None


class ControlSettingsModel(StrictModel):
    enabled: bool | None = None
    severity: Literal["low", "medium", "high", "critical"] | None = None


class SuppressionModel(StrictModel):
    control: Annotated[Text, AfterValidator(lambda v: _control_id(v, wildcard=True))]
    resources: Annotated[list[Text], AfterValidator(_resources)]
    reason: Annotated[str, AfterValidator(_reason)]
    expires: Annotated[dt.date, BeforeValidator(_date)] | None = None


class ConfigFile(StrictModel):
    baseline: BaselineModel | None = None
    controls: dict[Annotated[Text, AfterValidator(_control_key)], ControlSettingsModel] | None = (
        None
    )
    suppressions: list[SuppressionModel] | None = None
    harden: HardenModel | None = None
    cost: CostModel | None = None
    drill: DrillModel | None = None
    iac: IacModel | None = None


def to_config(doc: Document) -> tuple[Config | None, list[Problem]]:
    """The validated :class:`Config` of ``doc`` and every problem found (empty when valid)."""
    if doc.data is None:  # an empty file: every default
        doc = Document({}, doc.source, doc.lines)
    model, problems, _ = validate(ConfigFile, doc)
    if model is None:
        return None, problems
    baseline = _baseline(model.baseline)
    harden, harden_problems = harden_settings(model.harden, baseline, doc)
    problems.extend(harden_problems)
    config = Config(
        baseline=baseline,
        controls={
            cid: ControlSettings(**_given(s, enabled=True))
            for cid, s in (model.controls or {}).items()
        },
        suppressions=tuple(
            Suppression(s.control, tuple(s.resources), s.reason, s.expires)
            for s in model.suppressions or ()
        ),
        path=doc.source,
        harden=harden,
        cost=cost_settings(model.cost),
        drill=drill_settings(model.drill),
        iac=iac_settings(model.iac),
    )
    return config, problems


def _given(model: StrictModel | None, **defaults: Any) -> dict[str, Any]:
    """The fields the file set to a value: the dataclass supplies the rest of the defaults."""
    if model is None:
        return {}
    values = {k: v for k, v in model.model_dump(exclude_none=True).items()}
    for key, default in defaults.items():
        values.setdefault(key, default)
    return values


def _baseline(model: BaselineModel | None) -> Baseline:
    values = _given(model)
    for key in (
        "allowed_kms_keys",
        "trusted_accounts",
        "trusted_org_ids",
        "trusted_vpc_endpoints",
        "trusted_vpcs",
        "required_tags",
    ):
        if key in values:
            values[key] = tuple(values[key])
    if "encryption" in values:
        values["encryption"] = EncryptionMode(values["encryption"])
    if "stream_view_types" in values:
        values["stream_view_types"] = tuple(values["stream_view_types"])
    if model is not None and model.autoscaling is not None:
        rule = _given(model.autoscaling)
        for key in ("target_utilization", "min_target", "max_target"):
            if key in rule:
                rule[key] = float(rule[key])
        values["autoscaling"] = AutoscalingRule(**rule)
    return Baseline(**values)
