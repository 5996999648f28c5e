"""Blocks the code declares but the parser dropped without a word.

tfparse leaves out a block whose ``count`` or ``for_each`` it cannot expand: ``count = -1``,
``for_each = 5``, ``for_each`` over a variable that has no value (``count`` over one keeps a
single instance, which is judged). Terraform rejects the first two and cannot plan the third;
a table dropped in silence would be an audit that passes with nothing judged. So every
``resource`` of a type dynaguard maps, and every local ``module`` call, in the root module's own
files is matched against the parser's output. A missing one is one problem at its line, unless
its ``count``/``for_each`` is literally empty or depends only on values that are known: then it
evaluated to no instance (``count = var.enabled ? 1 : 0`` with ``enabled = false``).

Blocks inside local modules are not matched here (their instances depend on the call).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.sources import SourceFiles

MAPPED = (
    "aws_dynamodb_",
    "aws_dax_",
    "aws_kms_",
    "aws_iam_",
    "aws_backup_",
    "aws_appautoscaling_",
    "aws_vpc",
)
_HEADER = re.compile(r'^\s*(resource|module)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{')
_META = re.compile(r"^\s*(count|for_each)\s*=\s*(.+?)\s*$")
_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"')
_EMPTY = frozenset({"0", "[]", "{}", "toset([])", "tomap({})", "tolist([])", "null"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_VAR = re.compile(r"\bvar\.([A-Za-z_][\w-]*)")
_LOCAL = re.compile(r"\blocal\.([A-Za-z_][\w-]*)")
_APPLY_TIME = re.compile(r"\b(?:data\.[a-z]\w*\.[\w-]+|module\.[\w-]+|aws_\w+\.[\w-]+)")


def _declared(lines: Sequence[str]) -> Iterable[tuple[int, str, str | None, str | None]]:
    """(line, address, count/for_each text or None, local module source or None) per block."""
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index])
        index += 1
        if header is None:
            continue
        kind, label, name = header.groups()
        address = f"module.{label}" if kind == "module" else f"{label}.{name}"
        meta, source, depth, start = None, None, 1, index
        while index < len(lines) and depth > 0:
            line = lines[index]
            if depth == 1:
                meta = meta or _meta_text(line)
                source = source or (m.group(1) if (m := _SOURCE.match(line)) else None)
            depth += line.count("{") - line.count("}")
            index += 1
        if kind == "module" or (name is not None and label.startswith(MAPPED)):
            yield start, address, meta, source


def _meta_text(line: str) -> str | None:
    match = _META.match(line)
    return match.group(1) + "=" + match.group(2).split(" #")[0].strip() if match else None


def _present(parsed: Mapping[str, Any]) -> set[str]:
    out = set()
    for kind, items in parsed.items():
        for item in items if isinstance(items, list) else []:
            path = str((item.get("__tfmeta") or {}).get("path", ""))
            if kind == "module" or not path.startswith("module."):
                out.add(re.sub(r"\[[^\]]*\]$", "", path))
    return out


def _with_value(parsed: Mapping[str, Any], provided: set[str]) -> set[str]:
    """Variables with a value: a default, or set in a variables file (``provided``)."""
    defaults = {
        str((item.get("__tfmeta") or {}).get("label"))
        for item in parsed.get("variable") or []
        if isinstance(item, Mapping) and "default" in item
    }
    return defaults | provided


def _unresolved_locals(parsed: Mapping[str, Any]) -> set[str]:
    out = set()
    for block in parsed.get("locals") or []:
        for name, value in block.items():
            if value is None or (isinstance(value, Mapping) and "__attribute__" in value):
                out.add(name)
    return out


def _why_dropped(meta: str | None, assigned: set[str], unresolved: set[str]) -> str | None:
    """Why the block has no instance, when that is a problem (None: legitimately none)."""
    if meta is None:
        return "was not evaluated by the Terraform parser"
    what, expr = meta.split("=", 1)
    if expr in _EMPTY:
        return None
    if what == "count" and _NUMBER.match(expr):
        return f"count = {expr} is not a whole number >= 0"
    if what == "for_each" and (_NUMBER.match(expr) or expr in ("true", "false") or expr[:1] == '"'):
        return f"for_each = {expr} is not a map or a set of strings"
    missing = [f"var.{v}" for v in _VAR.findall(expr) if v not in assigned]
    missing += [f"local.{v}" for v in _LOCAL.findall(expr) if v in unresolved]
    if missing:
        return f"{what} = {expr} cannot be resolved offline ({missing[0]} has no value)"
    if _APPLY_TIME.search(expr):
        return f"{what} = {expr} depends on values known only when applied"
    return None


def dropped_blocks(
    parsed: Mapping[str, Any],
    root: Path,
    sources: SourceFiles,
    provided: set[str],
    broken: set[str],
) -> list[InputProblem]:
    """A problem per block of the root module's files missing from the parser's output
    (``provided``: variables the var files set)."""
    present = _present(parsed)
    assigned = _with_value(parsed, provided)
    unresolved = _unresolved_locals(parsed)
    problems = []
    for path in sorted(root.glob("*.tf")):
        shown = sources.display(path)
        if shown in broken:
            continue  # reported as a parse error
        for line, address, meta, source in _declared(sources.lines(path)):
            if address in present or (address.startswith("module.") and source is None):
                continue
            why = _why_dropped(meta, assigned, unresolved)
            if why is not None:
                problems.append(InputProblem(shown, line, f"{address}: {why}; it is not scanned"))
    return problems
