"""A Terraform resource or data block with its values converted for the adapter.

Values are plain Python (str, int, bool, list, dict) where resolved, ``Ref`` for a reference to
another block in the same configuration (``aws_kms_key.ddb.arn``), and ``Unknown`` (with the
expression in the reason) for anything that cannot be resolved offline. Nested blocks are
``TfBlock`` values too (or dicts, in plan JSON, wrapped on access). An attribute missing from
``attrs`` is absent: the adapter applies the AWS default for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.model import Fact, Known, Origin, Unknown

_MODULE_PREFIX = re.compile(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)")


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another block of the configuration, e.g. ``aws_kms_key.ddb`` + ``arn``."""

    address: str
    attribute: str | None = None

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}" if self.attribute else self.address


@dataclass(frozen=True, slots=True)
class TfBlock:
    type: str  # aws_dynamodb_table
    address: str  # module.m.aws_dynamodb_table.orders[0]
    origin: Origin
    attrs: Mapping[str, Any] = field(default_factory=dict)
    mode: str = "resource"  # resource | data | provider | nested
    suppressions: tuple[tuple[str, str], ...] = ()

    @property
    def module_prefix(self) -> str:
        """``module.m.`` for a block inside module m; empty at the root."""
        match = _MODULE_PREFIX.match(self.address)
        return match.group(1) if match else ""

    def has(self, name: str) -> bool:
        return name in self.attrs

    def raw(self, name: str) -> Any:
        return self.attrs.get(name)

    def fact(self, name: str) -> Fact[Any] | None:
        """The attribute as a Fact, None when absent. Unresolved parts make it Unknown."""
        if name not in self.attrs:
            return None
        value = self.attrs[name]
        hole = first_unknown(value)
        if hole is not None:
            return Unknown(f"{name}: {hole.reason}", hole.origin or self.origin)
        return Known(value, self.origin)

    def blocks(self, name: str) -> list[TfBlock]:
        """Nested blocks called ``name`` (none when absent)."""
        value = self.attrs.get(name)
        items = value if isinstance(value, list) else [value] if value is not None else []
        out = []
        for item in items:
            if isinstance(item, TfBlock):
                out.append(item)
            elif isinstance(item, Mapping):
                out.append(TfBlock(name, f"{self.address}.{name}", self.origin, item, "nested"))
        return out

    def block(self, name: str) -> TfBlock | None:
        found = self.blocks(name)
        return found[0] if found else None


def first_unknown(value: Any) -> Unknown | None:
    """The first unresolved part of a value (searching lists and maps), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list | tuple):
        for item in value:
            hole = first_unknown(item)
            if hole is not None:
                return hole
    if isinstance(value, Mapping):
        for item in value.values():
            hole = first_unknown(item)
            if hole is not None:
                return hole
    return None


# --- typed accessors: absent -> the AWS default, applied here in the adapter ---------------


def _wrong(block: TfBlock, name: str, value: Any, want: str) -> Unknown:
    shown = str(value) if isinstance(value, Ref) else repr(value)
    return Unknown(f"{name} = {shown} cannot be resolved to a {want} offline", block.origin)


def bool_fact(block: TfBlock | None, name: str, default: bool) -> Fact[bool]:
    if block is None:
        return Known(default)
    fact = block.fact(name)
    if fact is None or (isinstance(fact, Known) and fact.value is None):
        return Known(default, block.origin)
    if isinstance(fact, Unknown):
        return fact
    value = fact.value
    if isinstance(value, bool):
        return Known(value, block.origin)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return Known(value.lower() == "true", block.origin)
    return _wrong(block, name, value, "boolean")


def int_fact(block: TfBlock | None, name: str, default: int | None) -> Fact[int | None]:
    if block is None:
        return Known(default)
    fact = block.fact(name)
    if fact is None or (isinstance(fact, Known) and fact.value is None):
        return Known(default, block.origin)
    if isinstance(fact, Unknown):
        return fact
    value = fact.value
    if isinstance(value, bool):
        return _wrong(block, name, value, "number")
    if isinstance(value, int | float):
        return Known(int(value), block.origin)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.0+)?", value.strip()):
        return Known(int(float(value)), block.origin)
    return _wrong(block, name, value, "number")


def str_fact(block: TfBlock | None, name: str, default: str | None) -> Fact[str | None]:
    """A string attribute; a Ref is NOT a string here (callers that accept refs use ref_fact)."""
    if block is None:
        return Known(default)
    fact = block.fact(name)
    if fact is None or (isinstance(fact, Known) and fact.value in (None, "")):
        return Known(default, block.origin)
    if isinstance(fact, Unknown):
        return fact
    value = fact.value
    if isinstance(value, bool | int | float):
        return Known(str(value).lower() if isinstance(value, bool) else str(value), block.origin)
    if isinstance(value, str):
        return Known(value, block.origin)
    return _wrong(block, name, value, "string")


def ref_or_str_fact(block: TfBlock, name: str) -> Fact[Ref | str | None]:
    """A string or a reference to another block (key ids, ARNs, VPC ids...)."""
    fact = block.fact(name)
    if fact is None or (isinstance(fact, Known) and fact.value in (None, "")):
        return Known(None, block.origin)
    if isinstance(fact, Unknown):
        return fact
    if isinstance(fact.value, Ref | str):
        return Known(fact.value, block.origin)
    return _wrong(block, name, fact.value, "string or reference")


def known_strings(*facts: Fact[str | None]) -> list[str] | Unknown:
    """The values of several string facts, or the first Unknown among them."""
    out = []
    for fact in facts:
        if isinstance(fact, Unknown):
            return fact
        out.append(fact.value or "")
    return out


def str_map_fact(block: TfBlock, name: str) -> Fact[dict[str, str]]:
    fact = block.fact(name)
    if fact is None or (isinstance(fact, Known) and fact.value is None):
        return Known({}, block.origin)
    if isinstance(fact, Unknown):
        return fact
    if isinstance(fact.value, Mapping):
        out = {str(k): v for k, v in fact.value.items()}
        bad = [k for k, v in out.items() if not isinstance(v, str | int | float | bool)]
        if bad:
            return Unknown(f"{name}: values of {', '.join(bad)} cannot be resolved", block.origin)
        return Known({k: str(v) for k, v in out.items()}, block.origin)
    return _wrong(block, name, fact.value, "map")
