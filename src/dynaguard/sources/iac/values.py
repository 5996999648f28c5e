"""Typed reads of a declared block's attributes, with the AWS default when one is absent.

The defaults are applied here, in the source adapters, once (DESIGN: "defaults resolved once, in
the source adapter"): an absent or null attribute is the default the caller names, an
unresolved one is ``Unknown`` with the expression, and a value of the wrong kind (a reference
where a boolean is needed) is ``Unknown`` saying so, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, overload

from dynaguard.model import Fact, Known, Unknown
from dynaguard.sources.iac.blocks import Block, Ref


def _wrong(block: Block, name: str, value: Any, want: str) -> Unknown:
    shown = str(value) if isinstance(value, Ref) else repr(value)
    return Unknown(f"{name} = {shown} cannot be resolved to a {want} offline", block.origin)


def bool_fact(block: Block | None, name: str, default: bool) -> Fact[bool]:
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


def int_fact(block: Block | None, name: str, default: int | None) -> Fact[int | None]:
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


@overload
def str_fact(block: Block | None, name: str, default: str) -> Fact[str]: ...
@overload
def str_fact(block: Block | None, name: str, default: None) -> Fact[str | None]: ...
def str_fact(block: Block | None, name: str, default: str | None) -> Fact[str | None]:
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


def ref_or_str_fact(block: Block, name: str) -> Fact[Ref | str | None]:
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


def str_map_fact(block: Block, name: str) -> Fact[dict[str, str]]:
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


def int_or_float(block: Block | None, name: str) -> float | None:
    value = block.raw(name) if block else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
