"""What a null from tfparse means: "not set" (the default applies), or unknown offline.

In Terraform an argument set to null is an argument left out: the provider's and AWS's default
applies (deletion protection off, a 35-day PITR window, the AWS managed key for a replica
without a key). tfparse (Trivy's evaluator) reports two different things the same way, as a
null (or an unresolved traversal ``{"__attribute__": "var.x"}``):

- a value that IS null: ``var.x`` whose default is ``null``, ``lookup(m, "k", null)`` or
  ``try(m.k, null)`` on a map without ``k``, a module input passed as ``null``;
- a value it could not compute: a root variable with no default and no value in a var file,
  a module's required variable its caller does not set, and anything computed from them.

Resources and data sources are not the cause: tfparse resolves a reference to one to a
stand-in (its block id), which the adapter reads as a reference. So a null is unknown exactly
when its expression depends, through module inputs, locals and ``for_each`` collections, on a
variable without a value; the expression text is read (``expressions.py``) and followed.
``nullable = false`` on a variable turns a null input into its default, as Terraform does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard.model import Known, Origin, Unknown
from dynaguard.sources.terraform.expressions import (
    Expression,
    block_attribute,
    child_blocks,
    mask,
)
from dynaguard.sources.terraform.sources import SourceFiles

_TOP_LEVEL_NAME = re.compile(r"^([A-Za-z_][\w-]*)\s*=(?!=)", re.MULTILINE)
_DYNAMIC = re.compile(r'\s*dynamic\s+"([^"]+)"\s*\{')
NOT_SET = "no default, no -var-file or *.auto.tfvars value"


@dataclass(frozen=True, slots=True)
class Span:
    """Where a block is: its file and lines (1-based, inclusive)."""

    path: Path
    first: int
    last: int


class NullJudge:
    """Decides, for one tfparse result, what each null or unresolved variable means."""

    def __init__(
        self,
        parsed: Mapping[str, Any],
        root: Path,
        sources: SourceFiles,
        provided: set[str],
        unexpanded: Mapping[tuple[Path, int], str] | None = None,
    ) -> None:
        self.root = root
        self.sources = sources
        self.provided = provided  # root variables given a value by a var file
        # (file, line) of blocks judged once, unexpanded -> why (see unexpanded.py)
        self.unexpanded = dict(unexpanded or {})
        self.variables: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.calls: dict[str, Mapping[str, Any]] = {}
        self.locals: dict[str, list[Mapping[str, Any]]] = {}
        for item in parsed.get("variable", ()):
            path = str(item.get("__tfmeta", {}).get("path", ""))
            scope, _, name = path.rpartition("variable.")
            self.variables[(scope.rstrip("."), name)] = item
        for item in parsed.get("module", ()):
            self.calls[str(item.get("__tfmeta", {}).get("path", ""))] = item
        for item in parsed.get("locals", ()):
            path = str(item.get("__tfmeta", {}).get("path", ""))
            self.locals.setdefault(path.removesuffix("locals").rstrip("."), []).append(item)

    # --- entry point -------------------------------------------------------------------------

    def judge(self, name: str, scope: str, frames: list[Span]) -> Unknown | Known[Any] | None:
        """The meaning of attribute ``name`` of the innermost block of ``frames`` whose value
        came back null: None when it is null (absent: the default applies), Known when a
        ``nullable = false`` variable turns it into its default, else Unknown with why."""
        inner = frames[-1]
        expr = block_attribute(self.sources.lines(inner.path), inner.first, inner.last, name)
        origin = Origin(self.sources.display(inner.path), expr.line if expr else inner.first)
        if expr is None or expr.is_null_literal:
            return None
        default = self._non_nullable_default(expr, scope)
        if default is not None:
            return Known(default, origin)
        why = self._taint(expr, scope, frames, set())
        if why is None:
            return None
        shown = expr.text if "\n" not in expr.text else expr.text.split("\n", 1)[0] + " ..."
        prefix = "" if why.startswith(shown) else f"{shown} cannot be resolved: "
        return Unknown(f"{prefix}{why}", origin)

    def _non_nullable_default(self, expr: Expression, scope: str) -> Any:
        match = re.fullmatch(r"var\.([A-Za-z_][\w-]*)", expr.text.strip())
        decl = self.variables.get((scope, match.group(1))) if match else None
        if decl is not None and decl.get("nullable") is False:
            return decl.get("default")
        return None

    def unknown_because(self, expr: Expression, scope: str, span: Span) -> str | None:
        """Why ``expr``, an argument of the block at ``span`` in module instance ``scope``
        (a ``count``/``for_each``), may be unknown offline; None when it is known."""
        return self._taint(expr, scope, [span], set())

    # --- following references ----------------------------------------------------------------

    def _taint(
        self, expr: Expression, scope: str, frames: list[Span], seen: set[str]
    ) -> str | None:
        """Why the expression's value may be unknown offline, or None when it is known."""
        for ref in expr.references():
            why = self._reference(ref, scope, frames, seen)
            if why is not None:
                return why
        return None

    def _reference(self, ref: str, scope: str, frames: list[Span], seen: set[str]) -> str | None:
        root, _, rest = ref.partition(".")
        name = re.split(r"[.\[]", rest, maxsplit=1)[0]
        key = f"{scope}|{root}.{name}|{frames[-1] if frames else ''}"
        if key in seen:
            return None
        seen.add(key)
        if root == "var":
            return self._variable(scope, name, seen)
        if root == "local":
            return self._local(scope, name, seen)
        if root == "module":
            return f"{ref} is an output of module {name} that could not be resolved"
        if root in ("each", "count") and frames:
            kind = "for_each" if root == "each" else "count"
            why = self._attribute_taint(frames[0], kind, scope, frames[:1], seen)
            return why or self.unexpanded.get((frames[0].path, frames[0].first))
        if frames:
            return self._iterator(root, scope, frames, seen)
        return None

    def _variable(self, scope: str, name: str, seen: set[str]) -> str | None:
        decl = self.variables.get((scope, name))
        if decl is None:
            return f"var.{name} is not declared{_in(scope)}"
        if not scope:
            if "default" in decl or name in self.provided:
                return None
            return f"var.{name} has no value ({NOT_SET})"
        call = self.calls.get(scope)
        if call is None:
            return None
        span = self._span(call)
        given = block_attribute(self.sources.lines(span.path), span.first, span.last, name)
        if given is None:
            if "default" in decl:
                return None
            return f"{scope} does not set its required variable {name}"
        return self._taint(given, _parent(scope), [span], seen)

    def _local(self, scope: str, name: str, seen: set[str]) -> str | None:
        for item in self.locals.get(scope, ()):
            if name in item:
                span = self._span(item)
                expr = block_attribute(self.sources.lines(span.path), span.first, span.last, name)
                return None if expr is None else self._taint(expr, scope, [], seen)
        return f"local.{name} is not declared{_in(scope)}"

    def _iterator(self, name: str, scope: str, frames: list[Span], seen: set[str]) -> str | None:
        """``<iterator>.value`` in a dynamic block's content: follow its ``for_each``."""
        for depth in range(len(frames) - 1, -1, -1):
            outer = frames[depth]
            lines = self.sources.lines(outer.path)
            for label, span in _dynamic_blocks(lines, outer):
                iterator = block_attribute(lines, span.first, span.last, "iterator")
                named = iterator.text.strip() if iterator else label
                if named == name:
                    outer_frames = frames[: depth + 1]
                    return self._attribute_taint(span, "for_each", scope, outer_frames, seen)
        return None  # a resource or data source reference: tfparse resolves those

    def _attribute_taint(
        self, span: Span, attribute: str, scope: str, frames: list[Span], seen: set[str]
    ) -> str | None:
        lines = self.sources.lines(span.path)
        expr = block_attribute(lines, span.first, span.last, attribute)
        return None if expr is None else self._taint(expr, scope, frames, seen)

    def _span(self, item: Mapping[str, Any]) -> Span:
        meta = item.get("__tfmeta", {})
        path = self.root / str(meta.get("filename", ""))
        return Span(path, int(meta.get("line_start", 1)), int(meta.get("line_end", 1)))


def _dynamic_blocks(lines: list[str], outer: Span) -> Iterable[tuple[str, Span]]:
    """Every ``dynamic "label" { ... }`` directly inside ``outer``."""
    for text, first, last in child_blocks(lines, outer.first, outer.last):
        match = _DYNAMIC.match(text)
        if match:
            yield match.group(1), Span(outer.path, first, last)


def _parent(scope: str) -> str:
    """``module.a.module.b`` -> ``module.a``; ``module.a`` -> the root."""
    head, sep, _ = scope.rpartition(".module.")
    return head if sep else ""


def _in(scope: str) -> str:
    return f" in {scope}" if scope else ""


def scope_of(address: str) -> str:
    """The module instance a block address belongs to (``module.a["k"]``), root = ""."""
    match = re.match(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.?)*)", address)
    return match.group(1).rstrip(".") if match else ""


def assigned_variables(var_files: Iterable[Path]) -> set[str]:
    """Names given a value by var files (``name = ...`` at the top level, or JSON keys)."""
    names: set[str] = set()
    for path in var_files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if path.name.endswith(".json"):
            try:
                data = json.loads(text)
            except ValueError:
                continue
            names |= set(data) if isinstance(data, dict) else set()
            continue
        depth, top = 0, []
        for line in mask(text).split("\n"):
            if depth == 0:
                top.append(line)
            depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
        names |= set(_TOP_LEVEL_NAME.findall("\n".join(top)))
    return names
