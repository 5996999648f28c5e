"""Convert tfparse's evaluated output into ``TfBlock`` values.

tfparse (Trivy's Terraform evaluator) resolves variables (defaults and var files), locals,
functions and module inputs. What it cannot resolve comes back in three shapes, all turned into
``Unknown`` with the expression in the reason, or into a ``Ref`` when it names another block:

- ``{"__attribute__": "var.x", ...}``: an unresolved traversal (a variable without a value,
  an attribute known only after apply such as ``aws_dynamodb_table.t.stream_arn``);
- a block's ``id`` (a UUID) where another block is referenced as a whole value
  (``kms_key_arn = aws_kms_key.ddb.arn`` becomes the key block's id);
- ``null`` where an expression evaluated to an unknown value (a conditional on a variable
  without value, a function of one): the source text of the attribute is looked up to tell an
  explicit ``null`` (absent) from an unresolved expression.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dynaguard.model import Origin, Unknown
from dynaguard.sources.iac.declared import IAC_ACCOUNT
from dynaguard.sources.iac.suppressions import inline_suppressions
from dynaguard.sources.terraform.block import Ref, TfBlock
from dynaguard.sources.terraform.sources import SourceFiles

_SKIP_ATTRS = frozenset({"id", "__tfmeta", "count", "for_each", "depends_on", "lifecycle"})
_NOT_BLOCKS = frozenset({"variable", "locals", "output", "module", "terraform", "moved"})
_RESOURCE_REF = re.compile(
    r"^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*(?:\[[^\]]*\])?)(?:\.(.+))?$"
)
# ``${var.x}`` left in a string; IAM policy variables (``${aws:username}``) are not references.
UNRESOLVED_INTERPOLATION = re.compile(r"\$\{\s*[A-Za-z_][\w-]*\.")
# The deploying account (tfparse leaves it as text in heredocs).
_CALLER_ACCOUNT = re.compile(r"\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}")


class HclConverter:
    """Converts one tfparse result (a root module and its local modules)."""

    def __init__(self, parsed: Mapping[str, Any], root: Path, sources: SourceFiles) -> None:
        self.parsed = parsed
        self.root = root
        self.sources = sources
        self.by_id: dict[str, str] = {}
        for items in parsed.values():
            for item in items:
                meta = item.get("__tfmeta", {})
                if "id" in item and meta.get("path"):
                    self.by_id[item["id"]] = meta["path"]
        self.problems = sources.problems

    def blocks(self, wanted_files: set[Path] | None = None) -> list[TfBlock]:
        """Resource, data and provider blocks (only those in ``wanted_files`` when given)."""
        out = []
        for kind, items in self.parsed.items():
            if kind in _NOT_BLOCKS:
                continue
            for item in items:
                meta = item.get("__tfmeta", {})
                path = self.root / meta.get("filename", "")
                if wanted_files is not None and kind != "provider" and path not in wanted_files:
                    continue
                out.append(self._top_block(kind, item, meta, path))
        return out

    def _top_block(
        self, kind: str, item: Mapping[str, Any], meta: Mapping[str, Any], path: Path
    ) -> TfBlock:
        address = str(meta.get("path", kind))
        mode = str(meta.get("type", "provider" if kind == "provider" else "resource"))
        first, last = int(meta.get("line_start", 1)), int(meta.get("line_end", 1))
        shown = self.sources.display(path)
        origin = Origin(file=shown, line=first)
        found = inline_suppressions(self.sources.lines(path), shown, first, last)
        self.sources.add_problems(found.rejected)
        prefix = _module_prefix(address)
        attrs = self._attrs(item, path, first, last, prefix)
        # a provider block's type is its label ("aws"), as in plan JSON
        kind = str(meta.get("label", kind)) if mode == "provider" else kind
        return TfBlock(kind, address, origin, attrs, mode, found.accepted)

    def _attrs(
        self, item: Mapping[str, Any], path: Path, first: int, last: int, prefix: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in item.items():
            if name in _SKIP_ATTRS:
                continue
            if value is None:
                expr = self.sources.expression(path, first, last, name)
                if expr is None or expr == "null":
                    continue  # explicit null: the attribute is absent
                out[name] = Unknown(
                    f"{expr} could not be resolved", Origin(self.sources.display(path), first)
                )
                continue
            out[name] = self._value(value, path, prefix, name)
        return out

    def _value(self, value: Any, path: Path, prefix: str, name: str) -> Any:
        if isinstance(value, list):
            return [self._value(v, path, prefix, name) for v in value]
        if isinstance(value, Mapping):
            if "__tfmeta" in value:
                return self._nested(value, path, prefix, name)
            if "__attribute__" in value:
                return _traversal(str(value["__attribute__"]), prefix)
            return {
                k: (
                    Unknown(f"{name}.{k} could not be resolved")
                    if v is None
                    else self._value(v, path, prefix, f"{name}.{k}")
                )
                for k, v in value.items()
            }
        if isinstance(value, str):
            return self._string(value, prefix)
        return value

    def _nested(self, value: Mapping[str, Any], path: Path, prefix: str, name: str) -> TfBlock:
        meta = value["__tfmeta"]
        first, last = int(meta.get("line_start", 1)), int(meta.get("line_end", 1))
        origin = Origin(file=self.sources.display(path), line=first)
        attrs = self._attrs(value, path, first, last, prefix)
        return TfBlock(name, name, origin, attrs, "nested")

    def _string(self, value: str, prefix: str) -> Any:
        if value in self.by_id:
            return Ref(self.by_id[value])
        value = _CALLER_ACCOUNT.sub(IAC_ACCOUNT, value)
        if UNRESOLVED_INTERPOLATION.search(value):
            return Unknown(f"{value!r} is only partly resolved")
        return value


def _module_prefix(address: str) -> str:
    match = re.match(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)", address)
    return match.group(1) if match else ""


def _traversal(expr: str, prefix: str) -> Any:
    """An unresolved traversal: a reference to a block, or an Unknown naming the expression."""
    if expr.startswith("var."):
        return Unknown(f"{expr} has no value (no default, no -var-file or *.auto.tfvars value)")
    if expr.startswith(("local.", "each.", "count.", "module.", "path.", "terraform.")):
        return Unknown(f"{expr} cannot be resolved offline")
    match = _RESOURCE_REF.match(expr)
    if match and (match.group(1) or match.group(2).startswith(("aws_", "awscc_"))):
        data, kind, name, attribute = match.groups()
        address = f"{prefix}{data or ''}{kind}.{name}"
        return Ref(address, attribute)
    if "." in expr and expr.split(".", maxsplit=1)[0] in ("aws",):
        return Ref(expr)  # a provider alias, e.g. provider = aws.west
    return Unknown(f"{expr} cannot be resolved offline")
