"""Validation of the key-related parts of a schema: attribute definitions, the table's key,
billing mode, capacity, auto scaling and the secondary indexes.

The schema model (``schema_model``) has already checked each value's type and format; these are
the AWS rules across fields (CreateTable rejects each of them, one at a time; we report all):
every key attribute defined, and every defined attribute used by some key
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
capacity exactly when PROVISIONED; index names unique across GSIs and LSIs; at most 20 GSIs and
5 LSIs; LSIs only on a table with a sort key; INCLUDE projections name their attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.config import AutoscalingRule
from dynaguard.model import aws_rules
from dynaguard.provisioning import rules
from dynaguard.provisioning.schema_file import Problems
from dynaguard.provisioning.spec import Autoscaling, Capacity, IndexSpec, Projection
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import DocPath

if TYPE_CHECKING:
    from dynaguard.provisioning.schema_model import (
        AutoscalingModel,
        CapacityModel,
        GlobalIndexModel,
        LocalIndexModel,
        ProjectionModel,
    )

DEFAULT_MAX_MULTIPLE = 10  # auto scaling maximum = capacity x this, unless the baseline caps it


@dataclass(frozen=True, slots=True)
class KeyContext:
    """What index validation needs to know about the table."""

    attributes: Mapping[str, str]
    hash_key: str | None
    range_key: str | None
    provisioned: bool
    rule: AutoscalingRule
    table_autoscaling: AutoscalingModel | None


def check_key(
    problems: Problems, attributes: Mapping[str, str], name: str | None, where: DocPath
) -> str | None:
    """A key attribute name that must be defined in ``attributes``."""
    if name is None:
        return None
    if name not in attributes:
        defined = short_repr(", ".join(sorted(attributes)) or "none", 200, False)
        problems.add(
            where,
            f"key attribute {short_repr(name)} is not defined in attributes (defined: {defined})",
        )
    return name


def read_capacity(
    problems: Problems, capacity: CapacityModel | None, where: DocPath, provisioned: bool
) -> Capacity | None:
    """``capacity: {read, write}``: required when provisioned, refused when on-demand."""
    if capacity is None:
        if provisioned:
            problems.add(
                (*where, "capacity"),
                "required with billing_mode PROVISIONED: give {read: N, write: N}",
            )
        return None
    if not provisioned:
        problems.add(
            (*where, "capacity"),
            "only with billing_mode PROVISIONED (on-demand tables and their indexes take no "
            "capacity)",
        )
        return None
    return Capacity(capacity.read, capacity.write)


def read_autoscaling(
    problems: Problems,
    node: AutoscalingModel | None,
    where: DocPath,
    capacity: Capacity | None,
    rule: AutoscalingRule,
    provisioned: bool,
) -> tuple[Autoscaling | None, bool]:
    """Auto scaling for a provisioned table or GSI, on by default; (settings, defaulted)."""
    if node is not None and not provisioned:
        problems.add(where, "only with billing_mode PROVISIONED (on-demand scales itself)")
        return None, False
    if not provisioned or capacity is None or (node is not None and node.enabled is False):
        return None, False
    low, high, target = (
        (node.min_capacity, node.max_capacity, node.target_utilization) if node else (None,) * 3
    )
    if low is None:
        low = max(min(capacity.read, capacity.write), rule.min_capacity or 1)
    if high is None:
        high = rule.max_capacity or max(capacity.read, capacity.write) * DEFAULT_MAX_MULTIPLE
    target = float(target) if target is not None else rule.target_utilization
    if low < 1:
        problems.add((*where, "min_capacity"), "must be at least 1")
    if high < low:
        problems.add(
            (*where, "max_capacity"),
            f"must be at least min_capacity ({short_repr(low)}), got {short_repr(high)}",
        )
    if not aws_rules.TARGET_MIN <= target <= aws_rules.TARGET_MAX:
        problems.add(
            (*where, "target_utilization"),
            f"must be 20 to 90 percent (AWS limit for DynamoDB), got {short_repr(target)}",
        )
    return Autoscaling(low, high, target), node is None


def read_projection(problems: Problems, node: ProjectionModel | None, where: DocPath) -> Projection:
    """``projection: ALL | KEYS_ONLY`` or ``{type: INCLUDE, non_key_attributes: [...]}``."""
    if node is None:
        return Projection("ALL")
    kind = node.type or "ALL"
    extra = node.non_key_attributes or []
    if kind == "INCLUDE" and not extra:
        problems.add((*where, "non_key_attributes"), "INCLUDE needs attribute names")
    if kind != "INCLUDE" and extra:
        problems.add((*where, "non_key_attributes"), f"only with type INCLUDE, not {kind}")
    return Projection(kind, tuple(extra) if kind == "INCLUDE" else ())


def read_global_index(
    problems: Problems, node: GlobalIndexModel, where: DocPath, ctx: KeyContext
) -> IndexSpec | None:
    _required(problems, node.name, (*where, "name"), "required")
    _required(problems, node.hash_key, (*where, "hash_key"), "required: the index's partition key")
    hash_key = check_key(problems, ctx.attributes, node.hash_key, (*where, "hash_key"))
    range_key = check_key(problems, ctx.attributes, node.range_key, (*where, "range_key"))
    projection = read_projection(problems, node.projection, (*where, "projection"))
    capacity = read_capacity(problems, node.capacity, where, ctx.provisioned)
    scaling, _ = read_autoscaling(
        problems,
        node.autoscaling or ctx.table_autoscaling,
        (*where, "autoscaling"),
        capacity,
        ctx.rule,
        ctx.provisioned,
    )
    if hash_key is None or node.name is None:
        return None
    return IndexSpec(node.name, hash_key, range_key, projection, capacity, scaling)


def read_local_index(
    problems: Problems, node: LocalIndexModel, where: DocPath, ctx: KeyContext
) -> IndexSpec | None:
    _required(problems, node.name, (*where, "name"), "required")
    _required(problems, node.range_key, (*where, "range_key"), "required: the index's sort key")
    range_key = check_key(problems, ctx.attributes, node.range_key, (*where, "range_key"))
    if range_key is not None and range_key == ctx.range_key:
        problems.add((*where, "range_key"), "must differ from the table's range_key")
    projection = read_projection(problems, node.projection, (*where, "projection"))
    if range_key is None or ctx.hash_key is None or node.name is None:
        return None
    return IndexSpec(node.name, ctx.hash_key, range_key, projection)


def _required(problems: Problems, value: object, where: DocPath, message: str) -> None:
    if value is None:
        problems.add(where, message)


def check_index_set(
    problems: Problems, all_gsis: list[IndexSpec | None], all_lsis: list[IndexSpec | None]
) -> None:
    """Rules across indexes: unique names, quotas, projected-attribute total. The lists hold
    None for an index already found invalid, so positions match the file."""
    seen: dict[str, str] = {}
    gsis = [g for g in all_gsis if g is not None]
    lsis = [g for g in all_lsis if g is not None]
    for kind, indexes in (("global_indexes", all_gsis), ("local_indexes", all_lsis)):
        for i, index in enumerate(indexes):
            if index is None:
                continue
            if index.name in seen:
                problems.add(
                    (kind, i, "name"),
                    f"index name {short_repr(index.name)} is already used by {seen[index.name]}",
                )
            else:
                seen[index.name] = f"{kind}[{i}]"
    if len(gsis) > rules.MAX_GSIS:
        problems.add("global_indexes", f"at most {rules.MAX_GSIS} per table, got {len(gsis)}")
    if len(lsis) > rules.MAX_LSIS:
        problems.add("local_indexes", f"at most {rules.MAX_LSIS} per table, got {len(lsis)}")
    projected = {a for index in gsis + lsis for a in index.projection.non_key_attributes}
    if len(projected) > rules.MAX_PROJECTED_ATTRIBUTES:
        problems.add(
            "global_indexes",
            f"at most {rules.MAX_PROJECTED_ATTRIBUTES} distinct projected non-key attributes "
            f"across all indexes, got {len(projected)}",
        )
    for kind, indexes in (("global_indexes", all_gsis), ("local_indexes", all_lsis)):
        for i, index in enumerate(indexes):
            if index is None:
                continue
            keys = {index.hash_key, index.range_key}
            clash = sorted(a for a in index.projection.non_key_attributes if a in keys)
            if clash:
                problems.add(
                    (kind, i, "projection", "non_key_attributes"),
                    f"{short_repr(', '.join(clash))} are key attributes (always projected); "
                    "remove them",
                )
