"""Schema -> TableSpec: validate every field, report every problem at once, resolve the secure
defaults where the schema is silent.

Secure defaults (each one listed in ``TableSpec.defaults_applied`` so the plan can show it):
customer managed key encryption when a key is given (``--kms-key``) or configured
(``baseline.allowed_kms_keys`` in the table's region), else the AWS managed key; PITR on with
the baseline's ``pitr_min_days`` window; deletion protection on; on-demand billing; target-
tracking auto scaling for provisioned capacity; a NEW_AND_OLD_IMAGES stream for global tables.
Required tag keys (``baseline.required_tags``) must be given values: a value cannot be guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.config import Baseline
from dynaguard.provisioning import rules, validate_keys
from dynaguard.provisioning.rules import FieldReader, join
from dynaguard.provisioning.schema_file import Problems
from dynaguard.provisioning.spec import (
    PAY_PER_REQUEST,
    PROVISIONED,
    IndexSpec,
    PitrSpec,
    StreamSpec,
    TableSpec,
)
from dynaguard.provisioning.validate_extras import (
    read_encryption,
    read_replicas,
    read_resource_policy,
    read_tags,
)

TOP_FIELDS = (
    "table_name",
    "region",
    "attributes",
    "hash_key",
    "range_key",
    "billing_mode",
    "capacity",
    "autoscaling",
    "global_indexes",
    "local_indexes",
    "ttl_attribute",
    "stream",
    "encryption",
    "point_in_time_recovery",
    "deletion_protection",
    "tags",
    "replicas",
    "resource_policy",
    "table_class",
)


@dataclass(frozen=True, slots=True)
class SpecDefaults:
    """What fills the schema's silences: command-line values and the configured baseline."""

    region: str | None = None
    kms_key_arn: str | None = None  # --kms-key
    table_name: str | None = None  # --name (overrides the schema's table_name)
    tags: Mapping[str, str] = field(default_factory=dict)  # --tag KEY=VALUE
    baseline: Baseline = field(default_factory=Baseline)
    enforce_required_tags: bool = True  # False when DDB.017 is disabled in the config
    alarm_topic: str | None = None  # --alarm-topic: create the DDB.018 throttling alarms


def build_spec(raw: Any, defaults: SpecDefaults, source: str) -> TableSpec:
    """Validate ``raw`` (the parsed schema); raise SchemaError listing every problem."""
    problems = Problems()
    r = FieldReader(problems)
    if raw is not None and not isinstance(raw, Mapping):
        problems.add("(document)", "a table schema is a mapping of fields")
        problems.raise_if_any(source)
    node = r.mapping(raw, "", TOP_FIELDS)
    applied: list[str] = []
    name = _table_name(r, node, defaults)
    region = _region(r, node, defaults)
    attributes = validate_keys.read_attributes(r, node)
    hash_key = validate_keys.check_key(r, attributes, node.get("hash_key"), "hash_key", node)
    if "hash_key" not in node:
        problems.add("hash_key", "required: the table's partition key attribute", node)
    range_key = validate_keys.check_key(r, attributes, node.get("range_key"), "range_key", node)
    if hash_key is not None and hash_key == range_key:
        problems.add("range_key", "must differ from hash_key", node, "range_key")
    billing = _billing_mode(r, node, applied)
    provisioned = billing == PROVISIONED
    capacity = validate_keys.read_capacity(r, node, "", provisioned)
    autoscaling, defaulted = validate_keys.read_autoscaling(
        r,
        node.get("autoscaling"),
        "autoscaling",
        capacity,
        defaults.baseline.autoscaling,
        provisioned,
    )
    if defaulted:
        applied.append("autoscaling: target tracking on the table and every index")
    scaling_raw = node.get("autoscaling")
    table_scaling: Mapping[str, Any] = scaling_raw if isinstance(scaling_raw, Mapping) else {}
    ctx = validate_keys.KeyContext(
        attributes,
        hash_key,
        range_key,
        provisioned,
        defaults.baseline.autoscaling,
        table_scaling,
    )
    gsis, lsis = _indexes(r, node, ctx)
    _check_attribute_use(r, node, attributes, hash_key, range_key, gsis + lsis)
    replicas_raw = r.items(node, "replicas", "")
    encryption = read_encryption(r, node, region, defaults, applied)
    spec = TableSpec(
        table_name=name or "",
        region=region or "",
        attributes=attributes,
        hash_key=hash_key or "",
        range_key=range_key,
        billing_mode=billing,
        encryption=encryption,
        pitr=_pitr(r, node, defaults.baseline, applied),
        deletion_protection=_deletion_protection(r, node, applied),
        stream=_stream(r, node, bool(replicas_raw), defaults.baseline, applied),
        capacity=capacity,
        autoscaling=autoscaling,
        global_indexes=tuple(gsis),
        local_indexes=tuple(lsis),
        ttl_attribute=_ttl(r, node, attributes),
        tags=read_tags(r, node, defaults),
        replicas=read_replicas(r, node, region, encryption, defaults.baseline),
        resource_policy=read_resource_policy(r, node),
        table_class=r.choice(node, "table_class", "", rules.TABLE_CLASSES) or "STANDARD",
        alarm_topic=defaults.alarm_topic,
        source=source,
        defaults_applied=tuple(applied),
    )
    problems.raise_if_any(source)
    return spec


def _table_name(r: FieldReader, node: Mapping[str, Any], defaults: SpecDefaults) -> str | None:
    name = defaults.table_name or r.get(node, "table_name", "", str)
    where = "--name" if defaults.table_name else "table_name"
    if name is None:
        if "table_name" not in node:
            r.problems.add("table_name", "required (or pass --name)", node)
        return None
    problem = rules.table_name_problem(name)
    if problem:
        at = (node, "table_name") if where == "table_name" else (None, None)
        r.problems.add(where, f"table name {problem}", *at)
    return str(name)


def _region(r: FieldReader, node: Mapping[str, Any], defaults: SpecDefaults) -> str | None:
    region = r.get(node, "region", "", str)
    if region is not None and not rules.REGION_NAME.match(region):
        r.problems.add("region", f"{region!r} is not an AWS region name", node, "region")
        return None
    if region and defaults.region and region != defaults.region:
        r.problems.add(
            "region",
            f"the schema says {region} but --region says {defaults.region}",
            node,
            "region",
        )
    region = region or defaults.region
    if region is None:
        r.problems.add("region", "no region: set it in the schema, pass --region or configure one")
    return region


def _billing_mode(r: FieldReader, node: Mapping[str, Any], applied: list[str]) -> str:
    mode = r.choice(node, "billing_mode", "", (PAY_PER_REQUEST, PROVISIONED))
    if mode is not None:
        return mode
    if "billing_mode" in node:
        return PAY_PER_REQUEST  # invalid value, already reported
    if node.get("capacity") is not None:
        return PROVISIONED
    applied.append("billing_mode: PAY_PER_REQUEST (on-demand scales with demand)")
    return PAY_PER_REQUEST


def _indexes(
    r: FieldReader, node: Mapping[str, Any], ctx: validate_keys.KeyContext
) -> tuple[list[IndexSpec], list[IndexSpec]]:
    gsis = [
        validate_keys.read_global_index(r, raw, f"global_indexes[{i}]", ctx)
        for i, raw in enumerate(r.items(node, "global_indexes", ""))
    ]
    lsi_raw = r.items(node, "local_indexes", "")
    if lsi_raw and "range_key" not in node:
        r.problems.add(
            "local_indexes", "a local index needs a table with a range_key (sort key)", node
        )
    lsis = [
        validate_keys.read_local_index(r, raw, f"local_indexes[{i}]", ctx)
        for i, raw in enumerate(lsi_raw)
    ]
    good_gsis = [g for g in gsis if g is not None]
    good_lsis = [g for g in lsis if g is not None]
    validate_keys.check_index_set(r, good_gsis, good_lsis, ctx.attributes)
    return good_gsis, good_lsis


def _check_attribute_use(
    r: FieldReader,
    node: Mapping[str, Any],
    attributes: Mapping[str, str],
    hash_key: str | None,
    range_key: str | None,
    indexes: list[IndexSpec],
) -> None:
    """AWS refuses attribute definitions that no key uses (define only key attributes)."""
    used = {hash_key, range_key} | {a for i in indexes for a in (i.hash_key, i.range_key)}
    for name in attributes:
        if name not in used:
            r.problems.add(
                f"attributes.{name}",
                "defined but not used by the table's or an index's key (AWS rejects unused "
                "attribute definitions; non-key attributes need no definition)",
                node.get("attributes"),
                name,
            )


def _pitr(
    r: FieldReader, node: Mapping[str, Any], baseline: Baseline, applied: list[str]
) -> PitrSpec:
    where = "point_in_time_recovery"
    if node.get(where) is None:
        applied.append(f"{where}: enabled, {baseline.pitr_min_days} days (baseline)")
        return PitrSpec(True, baseline.pitr_min_days)
    pitr = r.mapping(node[where], where, ("enabled", "recovery_period_in_days"))
    enabled = r.get(pitr, "enabled", where, bool)
    days = r.get(pitr, "recovery_period_in_days", where, int)
    if enabled is False:
        if days is not None:
            r.problems.add(join(where, "recovery_period_in_days"), "only when enabled", pitr)
        return PitrSpec(False)
    if days is None:
        applied.append(f"{where}.recovery_period_in_days: {baseline.pitr_min_days} (baseline)")
        days = baseline.pitr_min_days
    elif not rules.PITR_MIN_DAYS <= days <= rules.PITR_MAX_DAYS:
        r.problems.add(
            join(where, "recovery_period_in_days"),
            f"must be 1 to 35 days (AWS limit), got {days}",
            pitr,
            "recovery_period_in_days",
        )
    return PitrSpec(True, days)


def _deletion_protection(r: FieldReader, node: Mapping[str, Any], applied: list[str]) -> bool:
    value = r.get(node, "deletion_protection", "", bool)
    if value is None:
        applied.append("deletion_protection: true")
        return True
    return bool(value)


def _stream(
    r: FieldReader,
    node: Mapping[str, Any],
    global_table: bool,
    baseline: Baseline,
    applied: list[str],
) -> StreamSpec:
    where = "stream"
    if node.get(where) is None:
        if global_table:
            applied.append("stream: NEW_AND_OLD_IMAGES (global tables replicate through it)")
            return StreamSpec(True, "NEW_AND_OLD_IMAGES")
        return StreamSpec(False)
    stream = r.mapping(node[where], where, ("enabled", "view_type"))
    view = r.choice(stream, "view_type", where, rules.STREAM_VIEW_TYPES)
    enabled = r.get(stream, "enabled", where, bool)
    if enabled is False:
        if view is not None:
            r.problems.add(join(where, "view_type"), "only when the stream is enabled", stream)
        if global_table:
            r.problems.add(where, "a global table (replicas) needs its stream enabled", stream)
        return StreamSpec(False)
    view = view or baseline.stream_view_types[0]
    if global_table and view != "NEW_AND_OLD_IMAGES":
        r.problems.add(
            join(where, "view_type"),
            f"a global table (replicas) needs NEW_AND_OLD_IMAGES, not {view}",
            stream,
            "view_type",
        )
    return StreamSpec(True, view)


def _ttl(r: FieldReader, node: Mapping[str, Any], attributes: Mapping[str, str]) -> str | None:
    name = r.get(node, "ttl_attribute", "", str)
    if name is None:
        return None
    if not 1 <= len(name) <= rules.KEY_ATTRIBUTE_MAX_NAME:
        r.problems.add("ttl_attribute", "must be 1 to 255 characters", node, "ttl_attribute")
    elif attributes.get(name, "N") != "N":
        r.problems.add(
            "ttl_attribute",
            f"{name!r} is defined with type {attributes[name]}; TTL needs a Number (epoch "
            "seconds), so items would never expire",
            node,
            "ttl_attribute",
        )
    return str(name)
