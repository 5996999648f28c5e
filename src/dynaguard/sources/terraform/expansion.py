"""``count`` / ``for_each`` of the root module's blocks: expanded, empty, invalid or unknown.

tfparse (Trivy's evaluator) leaves out a block whose ``count`` or ``for_each`` it cannot expand
(``count = -1``, ``for_each = 5``, ``for_each`` over a variable without a value, a data source
or a module output), keeps one instance ``[0]`` of a ``count`` it cannot compute, and keeps an
instance of ``count = 1.5`` or ``count = true``, which Terraform rejects. A table dropped in
silence is an audit that passes with nothing judged, so every ``resource`` of a type dynaguard
maps, and every ``module`` call, in the root module's own files is classified by its
``count``/``for_each`` expression as written:

- **empty** (``count = 0``, ``for_each = {}``/``[]``/``toset([])``): no instance, rightly;
- **invalid** (a negative, fractional or non-number ``count``; a number, bool, string or
  list ``for_each``): Terraform rejects the configuration, so nothing is deployed: one problem at
  its line, like a file that does not parse (exit 3), and the block is not judged;
- **unknown** (it depends on a variable without a value, a local that could not be computed,
  a data source, a module output or another resource's attribute): the block is judged once,
  as ``ADDRESS[?]``, with every setting that depends on ``each``/``count.index`` UNKNOWN
  (``unexpanded.py``), and a problem at its line says so (exit 3 unless something fails);
- **known**: tfparse expanded it (or it evaluated to nothing: ``count = var.on ? 1 : 0``).

Blocks inside local modules are not classified here: their instances depend on the call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dynaguard.sources.iac.jsontext import line_of_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.expressions import Expression, block_attribute, mask
from dynaguard.sources.terraform.rewrites import known_data_values
from dynaguard.sources.terraform.sources import SourceFiles

MAPPED = (
    "aws_dynamodb_",
    "aws_dax_",
    "aws_kms_",
    "aws_iam_",
    "aws_backup_",
    "aws_appautoscaling_",
    "aws_vpc",
    "aws_cloudwatch_metric_alarm",
)
_HEADER = re.compile(r'^\s*(resource|module)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{')
_META = re.compile(r"^\s*(count|for_each)\s*=")
_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"')
_EMPTY = frozenset({"0", "[]", "{}", "toset([])", "tomap({})", "tolist([])", "null"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WHOLE = re.compile(r"^\d+$")
_LITERAL = re.compile(r'^(-?\d+(\.\d+)?|true|false|"[^"]*")$')
_APPLY_TIME = re.compile(r"^(?:data\.[a-z]\w*\.[\w-]+|module\.[\w-]+|aws_\w+\.[\w-]+)")
_KNOWN_DATA = re.compile(r"^data\.(aws_partition|aws_region|aws_caller_identity)\.[\w-]+\.(\w+)")
_KEYED = re.compile(r'\["(?:[^"\\]|\\.)*"\]$')
_COUNTED = re.compile(r"\[\d+\]$")

Verdict = Literal["empty", "known", "invalid", "unknown"]


@dataclass(frozen=True, slots=True)
class Declaration:
    """A ``resource`` or ``module`` block as written: where, its address, its expansion."""

    path: Path
    line: int
    last: int
    address: str
    meta: str | None  # "count" or "for_each"
    expr: Expression | None
    local_source: bool  # a module call with a local ``source``

    @property
    def shown(self) -> str:
        """``count = var.n`` as written (the first line of a long expression)."""
        if self.expr is None:
            return str(self.meta)
        text = self.expr.text.split("\n", 1)[0] + (" ..." if "\n" in self.expr.text else "")
        return f"{self.meta} = {text}"

    def meta_lines(self) -> range:
        """The lines the ``count``/``for_each`` argument spans (1-based)."""
        if self.expr is None:
            return range(0)
        return range(self.expr.line, self.expr.line + self.expr.text.count("\n") + 1)


@dataclass(frozen=True, slots=True)
class Expansion:
    declaration: Declaration
    verdict: Verdict
    reason: str | None  # why invalid or unknown
    scope: str = ""  # the module instance the block is in ("" for the root module)

    @property
    def address(self) -> str:
        local = self.declaration.address
        return f"{self.scope}.{local}" if self.scope else local


def declarations(path: Path, lines: Sequence[str]) -> Iterable[Declaration]:
    """Every mapped ``resource`` and every ``module`` block at the top level of a file."""
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index])
        index += 1
        if header is None:
            continue
        kind, label, name = header.groups()
        opened = lines[index - 1]  # "resource "aws_kms_key" "k" {}" opens and closes
        first, depth, meta, source = index, opened.count("{") - opened.count("}"), None, False
        while index < len(lines) and depth > 0:
            line = lines[index]
            if depth == 1:
                meta = meta or (m.group(1) if (m := _META.match(line)) else None)
                source = source or bool(_SOURCE.match(line))
            depth += line.count("{") - line.count("}")
            index += 1
        if kind == "module" or (name is not None and label.startswith(MAPPED)):
            address = f"module.{label}" if kind == "module" else f"{label}.{name}"
            expr = block_attribute(lines, first, index, meta) if meta else None
            yield Declaration(path, first, index, address, meta, expr, source)


def json_declarations(path: Path, text: str) -> Iterable[Declaration]:
    """The same as ``declarations`` for Terraform JSON (``.tf.json``): ``"${var.x}"`` is the
    expression ``var.x``, a number or list is written as it is."""
    try:
        data = json.loads(text)
    except ValueError:
        return  # reported as a parse error
    for kind in ("resource", "module"):
        sections = data.get(kind) if isinstance(data, dict) else None
        for section in sections if isinstance(sections, list) else [sections]:
            yield from _json_blocks(path, text, kind, section)


def _json_blocks(path: Path, text: str, kind: str, section: Any) -> Iterable[Declaration]:
    blocks = [((), section)] if kind == "module" else (section or {}).items()
    for label, named in blocks if isinstance(section, dict) else ():
        for name, body in (named if isinstance(named, dict) else {}).items():
            if not isinstance(body, dict) or (label and not str(label).startswith(MAPPED)):
                continue
            keys = [kind, label, name] if label else [kind, name]
            address = f"{label}.{name}" if label else f"module.{name}"
            meta = next((m for m in ("count", "for_each") if m in body), None)
            expr = None
            if meta is not None:
                raw = body[meta]
                written = raw if isinstance(raw, str) else json.dumps(raw)
                inner = re.fullmatch(r"\$\{(.*)\}", written.strip(), re.DOTALL)
                written = inner.group(1).strip() if inner else written
                line = line_of_path(text, [*keys, meta]) or 1
                expr = Expression(written, mask(written), line)
            line = line_of_path(text, keys) or 1
            local = str(body.get("source", "")).startswith(("./", "../"))
            yield Declaration(path, line, line, address, meta, expr, local)


def classify(
    declaration: Declaration,
    why_unknown: Callable[[Expression], str | None],
    scope: str = "",
    expanded: Collection[str] = (),
) -> Expansion:
    """What the block's ``count``/``for_each`` is (``why_unknown``: why an expression has no
    value offline, None when it has one; ``expanded``: addresses tfparse did expand, which
    is the evidence that wins: a ``for_each`` map with literal keys is expanded by Terraform
    and tfparse even when its values wait for a data source)."""
    expr = declaration.expr
    if expr is None:
        return Expansion(declaration, "known", None, scope)
    text = " ".join(expr.text.split())
    if text in _EMPTY:
        return Expansion(declaration, "empty", None, scope)
    whole = _WHOLE.match(text.strip('"'))  # "2" converts to the number 2, as in Terraform
    if declaration.meta == "count" and _LITERAL.match(text) and not whole:
        return Expansion(declaration, "invalid", "is not a whole number >= 0", scope)
    if declaration.meta == "for_each" and _LITERAL.match(text):
        return Expansion(declaration, "invalid", "is not a map or a set of strings", scope)
    if declaration.meta == "for_each" and text.startswith("["):
        return Expansion(declaration, "invalid", "is a list, not a set: use toset([...])", scope)
    address = f"{scope}.{declaration.address}" if scope else declaration.address
    why = None if address in expanded else why_unknown(expr)
    return Expansion(declaration, "unknown" if why else "known", why, scope)


def apply_time_reason(expr: Expression) -> str | None:
    """Why an expression waits for AWS or another module: a data source, a module output, or
    another resource's attribute."""
    for ref in expr.references():
        known = _KNOWN_DATA.match(ref)
        if known and known.group(2) in known_data_values(known.group(1), ""):
            continue  # given its value before parsing (rewrites.py)
        if _APPLY_TIME.match(ref):
            root = ref.partition(".")[0]
            if root == "module":
                return f"{ref} is a module output, not expanded offline"
            if root == "data":
                return f"{ref} is read from AWS when planned"
            return f"{ref} is known only after apply"
    return None


def _unknown_because(expr: Expression, assigned: set[str], unresolved: set[str]) -> str | None:
    for ref in expr.references():
        root, _, rest = ref.partition(".")
        name = re.split(r"[.\[]", rest, maxsplit=1)[0]
        if root == "var" and name not in assigned:
            return f"var.{name} has no value"
        if root == "local" and name in unresolved:
            return f"local.{name} could not be computed"
    return apply_time_reason(expr)


def expanded_addresses(parsed: Mapping[str, Any]) -> set[str]:
    """Blocks tfparse did expand: it made keyed instances (``["a"]``), or as many counted
    instances as the ``count`` it computed (for an unknown count it makes one ``[0]`` and
    keeps the count unresolved, or computes a wrong one: ``length()`` of an unknown is 0)."""
    out: set[str] = set()
    counted: dict[str, list[Any]] = {}
    for items in parsed.values():
        for item in items if isinstance(items, list) else []:
            path = str((item.get("__tfmeta") or {}).get("path", ""))
            if (keyed := _KEYED.search(path)) is not None:
                out.add(path[: keyed.start()])
            elif (index := _COUNTED.search(path)) is not None:
                counted.setdefault(path[: index.start()], []).append(item.get("count"))
    for address, counts in counted.items():
        if all(type(c) is int and c == len(counts) for c in counts):
            out.add(address)
    return out


def instance_paths(parsed: Mapping[str, Any]) -> set[str]:
    """Every block address in tfparse's output, as it is."""
    return {
        str((item.get("__tfmeta") or {}).get("path", ""))
        for items in parsed.values()
        for item in (items if isinstance(items, list) else [])
    }


def present_addresses(parsed: Mapping[str, Any]) -> set[str]:
    """Every block address in tfparse's output, with and without its last instance key."""
    out = set()
    for items in parsed.values():
        for item in items if isinstance(items, list) else []:
            path = str((item.get("__tfmeta") or {}).get("path", ""))
            out |= {path, re.sub(r"\[[^\]]*\]$", "", path)}
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


def expansions(
    parsed: Mapping[str, Any],
    root: Path,
    sources: SourceFiles,
    provided: set[str],
    broken: set[str],
) -> list[Expansion]:
    """Every mapped block and module call of the root module's files, classified (files in
    ``broken``, reported as parse errors, are left out; ``provided``: variables the var files
    set)."""
    assigned = _with_value(parsed, provided)
    unresolved = _unresolved_locals(parsed)

    expanded = expanded_addresses(parsed)

    def why(expr: Expression) -> str | None:
        return _unknown_because(expr, assigned, unresolved)

    out: list[Expansion] = []
    for path in sorted(root.glob("*.tf*")):
        if sources.display(path) in broken or not path.name.endswith((".tf", ".tf.json")):
            continue
        lines = sources.lines(path)
        found = (
            json_declarations(path, "\n".join(lines))
            if path.name.endswith(".json")
            else declarations(path, lines)
        )
        out.extend(classify(declaration, why, "", expanded) for declaration in found)
    return out


def expansion_problems(
    found: Iterable[Expansion],
    parsed: Mapping[str, Any],
    sources: SourceFiles,
    named: Callable[[str], str] = str,
) -> list[InputProblem]:
    """One problem per block that is not judged as written: invalid, unknown (judged once, or
    not at all when the parser still left it out), or left out by the parser for no reason
    the code shows (``named``: an address as parsed -> as reported, see ``unexpanded.py``)."""
    present, exact = present_addresses(parsed), instance_paths(parsed)
    problems = []
    for expansion in found:
        declared, address = expansion.declaration, expansion.address
        shown = sources.display(declared.path)
        if expansion.verdict == "invalid":
            rejected = f"{expansion.reason}: Terraform rejects it; it is not scanned"
            message = f"{declared.shown} {rejected}"
        elif expansion.verdict == "unknown":
            instances = (named(address), f"{named(address)}[0]")
            judged = next((a for a in instances if a in exact), None)
            message = f"{declared.shown} cannot be expanded offline ({expansion.reason}); " + (
                f"judged once as {judged}" if judged else "it is not scanned"
            )
        elif address in present or expansion.verdict == "empty" or declared.meta is not None:
            continue
        elif expansion.scope or (address.startswith("module.") and not declared.local_source):
            continue  # remote modules: reported by modules.unreadable_modules
        else:
            message = "was not evaluated by the Terraform parser; it is not scanned"
        problems.append(InputProblem(shown, declared.line, f"{address}: {message}"))
    return problems
