"""Judge a block whose ``count``/``for_each`` cannot be expanded once, as ``ADDRESS[?]``.

How many instances such a block has is unknown offline, but what every instance shares is
known: a table written without encryption fails DDB.001 whatever ``var.tables`` holds. So
the root module is parsed a second time with those ``count``/``for_each`` arguments blanked
in the scratch mirror (``parse_mirror.py``; the user's files are never changed), which gives
one instance whose ``each.key``, ``each.value`` and ``count.index`` stay unresolved. That
instance is renamed ``ADDRESS[?]`` (a module call's resources ``module.NAME[?]....``) and
every setting that depends on the iterator is UNKNOWN, its reason naming the expression
(``null_values.NullJudge`` follows ``each``/``count`` to the block's own ``count``/``for_each``
in the original file). A block Terraform rejects (``expansion``: invalid) is taken out of
the result: nothing of it would be deployed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dynaguard.sources.terraform.expansion import Expansion

UNKNOWN_KEY = "[?]"


def blanked_lines(unknown: Iterable[Expansion]) -> dict[Path, frozenset[int]]:
    """Per original file, the lines of the ``count``/``for_each`` arguments to blank."""
    out: dict[Path, set[int]] = {}
    for expansion in unknown:
        declared = expansion.declaration
        out.setdefault(Path(os.path.normpath(declared.path)), set()).update(declared.meta_lines())
    return {path: frozenset(lines) for path, lines in out.items()}


def blank(text: str, lines: frozenset[int]) -> str:
    """``text`` with the given lines (1-based) emptied: line numbers stay the same."""
    if not lines:
        return text
    return "\n".join(
        "" if number in lines else line for number, line in enumerate(text.split("\n"), 1)
    )


def _renamed(path: str, unknown: set[str]) -> str:
    if path in unknown:
        return path + UNKNOWN_KEY
    match = re.match(r"^(module\.[^.\[]+)(\..+)?$", path)
    if match and match.group(1) in unknown:
        return match.group(1) + UNKNOWN_KEY + (match.group(2) or "")
    return path


def as_unexpanded(parsed: Mapping[str, Any], unknown: Iterable[Expansion]) -> dict[str, Any]:
    """tfparse's result with the single instance of each unknown block (and everything under
    an unknown module call) renamed ``...[?]``."""
    addresses = {e.declaration.address for e in unknown}

    def renamed(item: Any) -> Any:
        meta = item.get("__tfmeta") if isinstance(item, Mapping) else None
        if isinstance(meta, Mapping) and isinstance(meta.get("path"), str):
            return {**item, "__tfmeta": {**meta, "path": _renamed(meta["path"], addresses)}}
        return item

    return {
        kind: [renamed(i) for i in items] if isinstance(items, list) else items
        for kind, items in parsed.items()
    }


def without(parsed: Mapping[str, Any], invalid: Iterable[Expansion]) -> dict[str, Any]:
    """tfparse's result without any instance of the given root-module blocks."""
    addresses = {e.declaration.address for e in invalid}
    if not addresses:
        return dict(parsed)

    def kept(item: Any) -> bool:
        meta = item.get("__tfmeta") if isinstance(item, Mapping) else None
        return _root_block(str((meta or {}).get("path", ""))) not in addresses

    return {k: [i for i in v if kept(i)] if isinstance(v, list) else v for k, v in parsed.items()}


def _root_block(path: str) -> str:
    """The root-module block an instance comes from: ``module.a["k"].aws_x.y`` ->
    ``module.a``, ``aws_x.y[0]`` -> ``aws_x.y``."""
    module = re.match(r"^(module\.[^.\[]+)", path)
    return module.group(1) if module else re.sub(r"\[[^\]]*\]$", "", path)


def unexpanded_reasons(unknown: Iterable[Expansion]) -> dict[tuple[Path, int], str]:
    """(file, header line) of each unknown block -> why its iterator has no value offline."""
    return {
        (e.declaration.path, e.declaration.line): (
            f"{e.declaration.shown} cannot be expanded offline ({e.reason})"
        )
        for e in unknown
    }
