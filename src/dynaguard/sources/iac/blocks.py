"""A declared resource of infrastructure code, with its values converted for the adapters.

Terraform blocks (from HCL or a plan) and CloudFormation resources both become ``Block``
values, so the typed accessors (``values.py``) and the mappers' habits are shared. Values are
plain Python (str, int, bool, list, dict) where resolved, ``Ref`` for a reference to another
resource of the same unit (``aws_kms_key.ddb.arn``, ``!GetAtt Key.Arn``), and ``Unknown`` (with
the expression in the reason) for anything that cannot be resolved offline. Nested blocks are
``Block`` values too (or dicts, wrapped on access). An attribute missing from ``attrs`` is
absent: the adapter applies the AWS default for it.
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
class Block:
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

    def blocks(self, name: str) -> list[Block]:
        """Nested blocks called ``name`` (none when absent)."""
        value = self.attrs.get(name)
        items = value if isinstance(value, list) else [value] if value is not None else []
        out = []
        for item in items:
            if isinstance(item, Block):
                out.append(item)
            elif isinstance(item, Mapping):
                out.append(Block(name, f"{self.address}.{name}", self.origin, item, "nested"))
        return out

    def block(self, name: str) -> Block | None:
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
