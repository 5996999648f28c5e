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
from typing import TYPE_CHECKING, Any

from dynaguard.config import Baseline
from dynaguard.provisioning import rules, validate_keys
from dynaguard.provisioning.schema_file import Problems
from dynaguard.provisioning.spec import (
    PAY_PER_REQUEST,
    PROVISIONED,
    IndexSpec,
    PitrSpec,
    SpecDefaults,
    StreamSpec,
    TableSpec,
)
from dynaguard.provisioning.validate_extras import (
    read_encryption,
    read_replicas,
    read_resource_policy,
    read_tags,
)
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import Document

if TYPE_CHECKING:
    from dynaguard.provisioning.schema_model import TableSchema


def build_spec(raw: Any, defaults: SpecDefaults, source: str) -> TableSpec:
    """Validate ``raw`` (a parsed :class:`Document`, or plain data); raise SchemaError listing
    every problem, those of the schema model and those across fields, at once."""
    from dynaguard.doc_models import validate
    from dynaguard.provisioning.schema_model import TableSchema

    doc = raw if isinstance(raw, Document) else Document(raw, source)
    doc = Document({} if doc.data is None else doc.data, source, doc.lines)
    model, found, refused = validate(TableSchema, doc, noun="field")
    problems = Problems(doc, refused, found)
    if model is None:
        problems.raise_if_any()
    assert model is not None
    spec = _spec(model, problems, defaults, source)
    problems.raise_if_any()
    return spec


def _spec(node: TableSchema, problems: Problems, defaults: SpecDefaults, source: str) -> TableSpec:
    applied: list[str] = []
    name = _table_name(problems, node, defaults)
    region = _region(problems, node, defaults)
    attributes = dict(node.attributes or {})
    hash_key = validate_keys.check_key(problems, attributes, node.hash_key, ("hash_key",))
    if node.hash_key is None:
        problems.add("hash_key", "required: the table's partition key attribute")
    range_key = validate_keys.check_key(problems, attributes, node.range_key, ("range_key",))
    if hash_key is not None and hash_key == range_key:
        problems.add("range_key", "must differ from hash_key")
    billing = _billing_mode(node, applied)
    provisioned = billing == PROVISIONED
    capacity = validate_keys.read_capacity(problems, node.capacity, (), provisioned)
    autoscaling, defaulted = validate_keys.read_autoscaling(
        problems,
        node.autoscaling,
        ("autoscaling",),
        capacity,
        defaults.baseline.autoscaling,
        provisioned,
    )
    if defaulted:
        applied.append("autoscaling: target tracking on the table and every index")
    ctx = validate_keys.KeyContext(
        attributes,
        hash_key,
        range_key,
        provisioned,
        defaults.baseline.autoscaling,
        node.autoscaling,
    )
    gsis, lsis = _indexes(problems, node, ctx)
    _check_attribute_use(problems, attributes, hash_key, range_key, gsis + lsis)
    encryption = read_encryption(problems, node, region, defaults, applied)
    return TableSpec(
        table_name=name or "",
        region=region or "",
        attributes=attributes,
        hash_key=hash_key or "",
        range_key=range_key,
        billing_mode=billing,
        encryption=encryption,
        pitr=_pitr(problems, node, defaults.baseline, applied),
        deletion_protection=_deletion_protection(node, applied),
        stream=_stream(problems, node, bool(node.replicas), defaults.baseline, applied),
        capacity=capacity,
        autoscaling=autoscaling,
        global_indexes=tuple(gsis),
        local_indexes=tuple(lsis),
        ttl_attribute=_ttl(problems, node, attributes),
        tags=read_tags(problems, node, defaults),
        replicas=read_replicas(problems, node, region, encryption, defaults.baseline),
        resource_policy=read_resource_policy(problems, node),
        table_class=node.table_class or "STANDARD",
        alarm_topic=defaults.alarm_topic,
        source=source,
        defaults_applied=tuple(applied),
    )


def _table_name(problems: Problems, node: TableSchema, defaults: SpecDefaults) -> str | None:
    name = defaults.table_name or node.table_name
    where = "--name" if defaults.table_name else "table_name"
    if name is None:
        problems.add("table_name", "required (or pass --name)")
        return None
    problem = rules.table_name_problem(name)
    if problem:
        problems.add(where, f"table name {problem}")
    return str(name)


def _region(problems: Problems, node: TableSchema, defaults: SpecDefaults) -> str | None:
    region = node.region
    if region and defaults.region and region != defaults.region:
        problems.add("region", f"the schema says {region} but --region says {defaults.region}")
    region = region or defaults.region or defaults.fallback_region
    if region is None:
        problems.add("region", "no region: set it in the schema, pass --region or configure one")
    return region


def _billing_mode(node: TableSchema, applied: list[str]) -> str:
    if node.billing_mode is not None:
        return node.billing_mode
    if node.capacity is not None:
        return PROVISIONED
    applied.append("billing_mode: PAY_PER_REQUEST (on-demand scales with demand)")
    return PAY_PER_REQUEST


def _indexes(
    problems: Problems, node: TableSchema, ctx: validate_keys.KeyContext
) -> tuple[list[IndexSpec], list[IndexSpec]]:
    gsis = [
        validate_keys.read_global_index(problems, raw, ("global_indexes", i), ctx)
        for i, raw in enumerate(node.global_indexes or ())
    ]
    if node.local_indexes and node.range_key is None:
        problems.add("local_indexes", "a local index needs a table with a range_key (sort key)")
    lsis = [
        validate_keys.read_local_index(problems, raw, ("local_indexes", i), ctx)
        for i, raw in enumerate(node.local_indexes or ())
    ]
    validate_keys.check_index_set(problems, gsis, lsis)
    return [g for g in gsis if g is not None], [g for g in lsis if g is not None]


def _check_attribute_use(
    problems: Problems,
    attributes: Mapping[str, str],
    hash_key: str | None,
    range_key: str | None,
    indexes: list[IndexSpec],
) -> None:
    """AWS refuses attribute definitions that no key uses (define only key attributes)."""
    used = {hash_key, range_key} | {a for i in indexes for a in (i.hash_key, i.range_key)}
    for name in attributes:
        if name not in used:
            problems.add(
                ("attributes", name),
                "defined but not used by the table's or an index's key (AWS rejects unused "
                "attribute definitions; non-key attributes need no definition)",
            )


def _pitr(
    problems: Problems, node: TableSchema, baseline: Baseline, applied: list[str]
) -> PitrSpec:
    where = "point_in_time_recovery"
    pitr = node.point_in_time_recovery
    if pitr is None:
        applied.append(f"{where}: enabled, {baseline.pitr_min_days} days (baseline)")
        return PitrSpec(True, baseline.pitr_min_days)
    days = pitr.recovery_period_in_days
    if pitr.enabled is False:
        if days is not None:
            problems.add((where, "recovery_period_in_days"), "only when enabled")
        return PitrSpec(False)
    if days is None:
        applied.append(f"{where}.recovery_period_in_days: {baseline.pitr_min_days} (baseline)")
        days = baseline.pitr_min_days
    return PitrSpec(True, days)


def _deletion_protection(node: TableSchema, applied: list[str]) -> bool:
    if node.deletion_protection is None:
        applied.append("deletion_protection: true")
        return True
    return node.deletion_protection


def _stream(
    problems: Problems,
    node: TableSchema,
    global_table: bool,
    baseline: Baseline,
    applied: list[str],
) -> StreamSpec:
    where = "stream"
    stream = node.stream
    if stream is None:
        if global_table:
            applied.append("stream: NEW_AND_OLD_IMAGES (global tables replicate through it)")
            return StreamSpec(True, "NEW_AND_OLD_IMAGES")
        return StreamSpec(False)
    view = stream.view_type
    if stream.enabled is False:
        if view is not None:
            problems.add((where, "view_type"), "only when the stream is enabled")
        if global_table:
            problems.add(where, "a global table (replicas) needs its stream enabled")
        return StreamSpec(False)
    view = view or baseline.stream_view_types[0]
    if global_table and view != "NEW_AND_OLD_IMAGES":
        problems.add(
            (where, "view_type"),
            f"a global table (replicas) needs NEW_AND_OLD_IMAGES, not {view}",
        )
    return StreamSpec(True, view)


def _ttl(problems: Problems, node: TableSchema, attributes: Mapping[str, str]) -> str | None:
    name = node.ttl_attribute
    if name is None:
        return None
    if attributes.get(name, "N") != "N":
        problems.add(
            "ttl_attribute",
            f"{short_repr(name)} is defined with type {attributes[name]}; TTL needs a Number "
            "(epoch seconds), so items would never expire",
        )
    return name
