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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dynaguard.sources.terraform.expansion import Expansion
from dynaguard.sources.terraform.module_expansion import blankable

Parse = Callable[[Mapping[Path, frozenset[int]]], Mapping[str, Any]]
Classify = Callable[[Mapping[str, Any]], list[Expansion]]
_MAX_PASSES = 3  # a module call, a block in it, a block in a module it calls

UNKNOWN_KEY = "[?]"


def blanked_lines(unknown: Iterable[Expansion]) -> dict[Path, frozenset[int]]:
    """Per original file, the lines of the ``count``/``for_each`` arguments to blank."""
    out: dict[Path, set[int]] = {}
    for expansion in unknown:
        declared = expansion.declaration
        out.setdefault(Path(os.path.normpath(declared.path)), set()).update(declared.meta_lines())
    return {path: frozenset(lines) for path, lines in out.items()}


_MODULE_STEP = re.compile(r'module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\])?')


def judged_once(
    parsed: Mapping[str, Any], parse: Parse, classify: Classify
) -> tuple[Mapping[str, Any], list[Expansion], list[Expansion]]:
    """(tfparse's result, every expansion, the unknown ones blanked): parsed again with
    every unknown ``count``/``for_each`` blanked, until no new one shows up (blanking a module
    call's ``for_each`` brings its blocks into view)."""
    found = classify(parsed)
    blanked: list[Expansion] = []
    for _ in range(_MAX_PASSES):
        done = {e.address for e in blanked}
        new = [e for e in blankable(found) if e.address not in done]
        if not new:
            break
        blanked += new
        parsed = parse(blanked_lines(blanked))
        found = classify(parsed)
    return parsed, found, blanked


def renamed_address(unknown: Sequence[Expansion]) -> Callable[[str], str]:
    """A parsed address -> its name once the unknown blocks are renamed ``...[?]``."""
    addresses = {e.address for e in unknown}
    return lambda path: _renamed(path, addresses)


def _renamed(path: str, unknown: set[str]) -> str:
    """``path`` with ``[?]`` after each unknown module call on it and after the block itself
    when it is unknown (``unknown`` holds the addresses as parsed, without ``[?]``)."""
    parsed, named, rest = "", "", path
    while step := _MODULE_STEP.match(rest):
        parsed += step.group(0)
        named += step.group(0) + (UNKNOWN_KEY if parsed in unknown else "")
        rest = rest[step.end() :]
        if not rest.startswith("."):
            return named + rest
        parsed, named, rest = parsed + ".", named + ".", rest[1:]
    return named + rest + (UNKNOWN_KEY if rest and parsed + rest in unknown else "")


def as_unexpanded(parsed: Mapping[str, Any], unknown: Iterable[Expansion]) -> dict[str, Any]:
    """tfparse's result with the single instance of each unknown block (and everything under
    an unknown module call) renamed ``...[?]``."""
    addresses = {e.address for e in unknown}

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
    """tfparse's result without any instance of the given blocks (nor anything under them)."""
    addresses = tuple(e.address for e in invalid)
    if not addresses:
        return dict(parsed)

    def kept(item: Any) -> bool:
        meta = item.get("__tfmeta") if isinstance(item, Mapping) else None
        path = str((meta or {}).get("path", ""))
        return not any(path == a or path.startswith((a + "[", a + ".")) for a in addresses)

    return {k: [i for i in v if kept(i)] if isinstance(v, list) else v for k, v in parsed.items()}


def unexpanded_reasons(unknown: Iterable[Expansion]) -> dict[tuple[Path, int], str]:
    """(file, header line) of each unknown block -> why its iterator has no value offline."""
    return {
        (e.declaration.path, e.declaration.line): (
            f"{e.declaration.shown} cannot be expanded offline ({e.reason})"
        )
        for e in unknown
    }
