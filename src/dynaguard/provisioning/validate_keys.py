"""Validation of the key-related parts of a schema: attribute definitions, the table's key,
billing mode, capacity, auto scaling and the secondary indexes.

AWS rules enforced here (CreateTable rejects each of them, one at a time; we report all):
every key attribute defined with type S, N or B, and every defined attribute used by some key
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
capacity exactly when PROVISIONED; index names unique across GSIs and LSIs; at most 20 GSIs and
5 LSIs; LSIs only on a table with a sort key; INCLUDE projections name their attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.config import AutoscalingRule
from dynaguard.provisioning import rules
from dynaguard.provisioning.rules import FieldReader, join
from dynaguard.provisioning.spec import Autoscaling, Capacity, IndexSpec, Projection

AUTOSCALING_FIELDS = ("enabled", "min_capacity", "max_capacity", "target_utilization")
INDEX_FIELDS = ("name", "hash_key", "range_key", "projection", "capacity", "autoscaling")
LSI_FIELDS = ("name", "range_key", "projection")
DEFAULT_MAX_MULTIPLE = 10  # auto scaling maximum = capacity x this, unless the baseline caps it


@dataclass(frozen=True, slots=True)
class KeyContext:
    """What index validation needs to know about the table."""

    attributes: Mapping[str, str]
    hash_key: str | None
    range_key: str | None
    provisioned: bool
    rule: AutoscalingRule
    table_autoscaling: Mapping[str, Any]


def read_attributes(r: FieldReader, node: Mapping[str, Any]) -> dict[str, str]:
    """``attributes: {name: S|N|B}`` (or a list of ``{name, type}``)."""
    raw = node.get("attributes")
    pairs: list[tuple[str, Any, Any]] = []
    if isinstance(raw, Mapping):
        pairs = [(str(k), v, raw) for k, v in raw.items()]
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            entry = r.mapping(item, f"attributes[{i}]", ("name", "type"))
            pairs.append((str(entry.get("name", "")), entry.get("type"), entry))
    elif raw is not None:
        r.problems.add("attributes", "expected a mapping of attribute name to S, N or B", node)
    out: dict[str, str] = {}
    for name, kind, parent in pairs:
        where = f"attributes.{name}"
        if not 1 <= len(name) <= rules.KEY_ATTRIBUTE_MAX_NAME:
            r.problems.add(where, "attribute names must be 1 to 255 characters", parent)
        elif not isinstance(kind, str) or kind.upper() not in rules.ATTRIBUTE_TYPES:
            r.problems.add(
                where, f"type must be S (string), N (number) or B (binary), got {kind!r}", parent
            )
        else:
            out[name] = kind.upper()
    return out


def check_key(
    r: FieldReader, attributes: Mapping[str, str], name: Any, where: str, node: Any
) -> str | None:
    """A key attribute name that must be defined in ``attributes``."""
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        r.problems.add(where, "expected an attribute name", node)
        return None
    if name not in attributes:
        defined = ", ".join(sorted(attributes)) or "none"
        r.problems.add(
            where,
            f"key attribute {name!r} is not defined in attributes (defined: {defined})",
            node,
        )
    return name


def read_capacity(
    r: FieldReader, node: Mapping[str, Any], where: str, provisioned: bool
) -> Capacity | None:
    """``capacity: {read, write}``: required when provisioned, refused when on-demand."""
    raw = node.get("capacity")
    if raw is None:
        if provisioned:
            r.problems.add(
                join(where, "capacity"),
                "required with billing_mode PROVISIONED: give {read: N, write: N}",
                node,
            )
        return None
    if not provisioned:
        r.problems.add(
            join(where, "capacity"),
            "only with billing_mode PROVISIONED (on-demand tables and their indexes take no "
            "capacity)",
            node,
            "capacity",
        )
        return None
    cap = r.mapping(raw, join(where, "capacity"), ("read", "write"))
    values = []
    for key in ("read", "write"):
        value = r.get(cap, key, join(where, "capacity"), int)
        if key not in cap:
            r.problems.add(join(where, f"capacity.{key}"), "required", cap)
        elif value is not None and value < 1:
            r.problems.add(join(where, f"capacity.{key}"), "must be at least 1", cap, key)
            value = None
        values.append(value)
    if None in values:
        return None
    return Capacity(values[0], values[1])


def read_autoscaling(
    r: FieldReader,
    raw: Any,
    where: str,
    capacity: Capacity | None,
    rule: AutoscalingRule,
    provisioned: bool,
) -> tuple[Autoscaling | None, bool]:
    """Auto scaling for a provisioned table or GSI, on by default; (settings, defaulted)."""
    node = r.mapping(raw, where, AUTOSCALING_FIELDS)
    if raw is not None and not provisioned:
        r.problems.add(where, "only with billing_mode PROVISIONED (on-demand scales itself)", raw)
        return None, False
    if not provisioned or capacity is None or r.get(node, "enabled", where, bool) is False:
        return None, False
    low = r.get(node, "min_capacity", where, int)
    high = r.get(node, "max_capacity", where, int)
    target = r.number(node, "target_utilization", where)
    low = (
        low if low is not None else max(min(capacity.read, capacity.write), rule.min_capacity or 1)
    )
    if high is None:
        high = rule.max_capacity or max(capacity.read, capacity.write) * DEFAULT_MAX_MULTIPLE
    target = float(target) if target is not None else rule.target_utilization
    if low < 1:
        r.problems.add(join(where, "min_capacity"), "must be at least 1", node, "min_capacity")
    if high < low:
        r.problems.add(
            join(where, "max_capacity"),
            f"must be at least min_capacity ({low}), got {high}",
            node,
            "max_capacity",
        )
    if not rules.TARGET_MIN <= target <= rules.TARGET_MAX:
        r.problems.add(
            join(where, "target_utilization"),
            f"must be 20 to 90 percent (AWS limit for DynamoDB), got {target:g}",
            node,
            "target_utilization",
        )
    return Autoscaling(low, high, target), raw is None


def read_projection(r: FieldReader, raw: Any, where: str, parent: Any) -> Projection:
    """``projection: ALL | KEYS_ONLY`` or ``{type: INCLUDE, non_key_attributes: [...]}``."""
    if raw is None:
        return Projection("ALL")
    if isinstance(raw, str):
        raw = {"type": raw}
    node = r.mapping(raw, where, ("type", "non_key_attributes"))
    kind = r.choice(node, "type", where, rules.PROJECTION_TYPES) or "ALL"
    extra = r.items(node, "non_key_attributes", where)
    if kind == "INCLUDE" and not extra:
        r.problems.add(join(where, "non_key_attributes"), "INCLUDE needs attribute names", node)
    if kind != "INCLUDE" and extra:
        r.problems.add(
            join(where, "non_key_attributes"), f"only with type INCLUDE, not {kind}", node
        )
    return Projection(kind, tuple(str(a) for a in extra) if kind == "INCLUDE" else ())


def read_global_index(r: FieldReader, raw: Any, where: str, ctx: KeyContext) -> IndexSpec | None:
    node = r.mapping(raw, where, INDEX_FIELDS)
    name = _index_name(r, node, where)
    hash_key = check_key(r, ctx.attributes, node.get("hash_key"), join(where, "hash_key"), node)
    if "hash_key" not in node:
        r.problems.add(join(where, "hash_key"), "required: the index's partition key", node)
    range_key = check_key(r, ctx.attributes, node.get("range_key"), join(where, "range_key"), node)
    projection = read_projection(r, node.get("projection"), join(where, "projection"), node)
    capacity = read_capacity(r, node, where, ctx.provisioned)
    inherited = node.get("autoscaling", ctx.table_autoscaling or None)
    scaling, _ = read_autoscaling(
        r, inherited, join(where, "autoscaling"), capacity, ctx.rule, ctx.provisioned
    )
    if name is None or hash_key is None:
        return None
    return IndexSpec(name, hash_key, range_key, projection, capacity, scaling)


def read_local_index(r: FieldReader, raw: Any, where: str, ctx: KeyContext) -> IndexSpec | None:
    node = r.mapping(raw, where, LSI_FIELDS)
    name = _index_name(r, node, where)
    range_key = check_key(r, ctx.attributes, node.get("range_key"), join(where, "range_key"), node)
    if "range_key" not in node:
        r.problems.add(join(where, "range_key"), "required: the index's sort key", node)
    elif range_key is not None and range_key == ctx.range_key:
        r.problems.add(
            join(where, "range_key"), "must differ from the table's range_key", node, "range_key"
        )
    projection = read_projection(r, node.get("projection"), join(where, "projection"), node)
    if name is None or range_key is None or ctx.hash_key is None:
        return None
    return IndexSpec(name, ctx.hash_key, range_key, projection)


def _index_name(r: FieldReader, node: Mapping[str, Any], where: str) -> str | None:
    name = r.get(node, "name", where, str)
    if name is None:
        if "name" not in node:
            r.problems.add(join(where, "name"), "required", node)
        return None
    problem = rules.table_name_problem(name)
    if problem:
        r.problems.add(join(where, "name"), f"index name {problem}", node, "name")
        return None
    return str(name)


def check_index_set(
    r: FieldReader, gsis: list[IndexSpec], lsis: list[IndexSpec], attributes: Mapping[str, str]
) -> None:
    """Rules across indexes: unique names, quotas, projected-attribute total."""
    seen: dict[str, str] = {}
    for kind, indexes in (("global_indexes", gsis), ("local_indexes", lsis)):
        for i, index in enumerate(indexes):
            if index.name in seen:
                r.problems.add(
                    f"{kind}[{i}].name",
                    f"index name {index.name!r} is already used by {seen[index.name]}",
                )
            else:
                seen[index.name] = f"{kind}[{i}]"
    if len(gsis) > rules.MAX_GSIS:
        r.problems.add("global_indexes", f"at most {rules.MAX_GSIS} per table, got {len(gsis)}")
    if len(lsis) > rules.MAX_LSIS:
        r.problems.add("local_indexes", f"at most {rules.MAX_LSIS} per table, got {len(lsis)}")
    projected = {a for index in gsis + lsis for a in index.projection.non_key_attributes}
    if len(projected) > rules.MAX_PROJECTED_ATTRIBUTES:
        r.problems.add(
            "global_indexes",
            f"at most {rules.MAX_PROJECTED_ATTRIBUTES} distinct projected non-key attributes "
            f"across all indexes, got {len(projected)}",
        )
    for index in gsis + lsis:
        keys = {index.hash_key, index.range_key}
        clash = sorted(a for a in index.projection.non_key_attributes if a in keys)
        if clash:
            r.problems.add(
                f"index {index.name}.projection.non_key_attributes",
                f"{', '.join(clash)} are key attributes (always projected); remove them",
            )
