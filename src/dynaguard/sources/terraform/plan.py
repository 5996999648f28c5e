"""Terraform plan JSON (``terraform show -json plan.out``) -> ``Block`` values.

The plan has every value Terraform could compute (variables, locals and modules applied) in
``planned_values``; what is known only after apply is flagged in
``resource_changes[].change.after_unknown``; ``configuration`` keeps each expression's
``references``. A value known only after apply becomes a ``Ref`` when its expression points at
another block (``aws_kms_key.k.arn`` is a customer key even before it exists), else ``Unknown``.
For key, table and policy references the reference is preferred over the computed value: a
plan shows the AWS managed key as a bare key ARN, only the reference to
``data.aws_kms_alias`` of ``alias/aws/dynamodb`` says what it is.

Nothing planned is dropped: a resource Terraform deferred (``deferred_changes``, a ``count`` or
``for_each`` it could not expand yet, ``terraform plan -allow-deferral``) is judged once from
the values its partial plan knows, as ``ADDRESS[?]`` (the notation of the HCL reader for an
instance whose key is unknown), with a problem saying so; a plan that errored says so too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dynaguard.model import Origin, Unknown
from dynaguard.sources.iac.blocks import Block, Ref
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.expansion import MAPPED

_PREFER_REFERENCE = frozenset(
    {
        "kms_key_arn",
        "target_key_id",
        "global_table_arn",
        "resource_arn",
        "vpc_id",
        "plan_id",
        "policy_arn",
        "key_id",
    }
)
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
# an instance key: [0], ["a]b"] or Terraform's wildcard [*] for a key not known yet
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]')
_REF = re.compile(r"^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.(.+))?$")


def _lines_of_addresses(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    line, last = 1, 0
    for match in _ADDRESS.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        out.setdefault(match.group(1).replace('\\"', '"'), line)
    return out


def _reference(expr: Any, prefix: str) -> Ref | None:
    """The block an expression refers to (its first resource or data reference)."""
    references = expr.get("references") if isinstance(expr, Mapping) else None
    if not isinstance(references, list):
        return None
    for ref in references:
        match = _REF.match(str(ref))
        if match and (match.group(1) or match.group(2).startswith("aws_")):
            data, kind, name, attribute = match.groups()
            return Ref(f"{prefix}{data or ''}{kind}.{name}", attribute)
    return None


def _convert(values: Any, unknown: Any, exprs: Any, prefix: str, where: str) -> dict[str, Any]:
    values = values if isinstance(values, Mapping) else {}
    unknown = unknown if isinstance(unknown, Mapping) else {}
    exprs = exprs if isinstance(exprs, Mapping) else {}
    out: dict[str, Any] = {}
    for name in {*values, *unknown}:
        value, flag, expr = values.get(name), unknown.get(name), exprs.get(name)
        ref = _reference(expr, prefix)
        if flag is True:
            out[name] = ref or Unknown(f"{where}.{name} is known only after apply")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out[name] = [
                _convert(v, _at(flag, i), _at(expr, i), prefix, f"{where}.{name}")
                for i, v in enumerate(value)
            ]
        elif ref is not None and name in _PREFER_REFERENCE:
            out[name] = ref
        elif value is not None and value != []:
            out[name] = _with_unknown_items(value, flag, f"{where}.{name}")
    return out


def _at(value: Any, index: int) -> Any:
    return value[index] if isinstance(value, list) and index < len(value) else None


def _with_unknown_items(value: Any, flags: Any, where: str) -> Any:
    if isinstance(value, list) and isinstance(flags, list):
        return [
            Unknown(f"{where}[{i}] is known only after apply") if _at(flags, i) is True else v
            for i, v in enumerate(value)
        ]
    return value


def _walk_modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources") or ()
    for child in module.get("child_modules") or ():
        yield from _walk_modules(child)


def _config_resources(
    module: Mapping[str, Any], prefix: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for resource in module.get("resources") or ():
        yield f"{prefix}{resource.get('address', '')}", resource
    for name, call in (module.get("module_calls") or {}).items():
        yield from _config_resources(call.get("module") or {}, f"{prefix}module.{name}.")


def _module_prefix(address: str) -> str:
    match = re.match(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)", address)
    return match.group(1) if match else ""


def _providers(config: Mapping[str, Any], origin: Origin) -> list[Block]:
    out = []
    for key, provider in (config.get("provider_config") or {}).items():
        if provider.get("name") != "aws":
            continue
        exprs = provider.get("expressions") or {}
        attrs: dict[str, Any] = {}
        region = exprs.get("region")
        region = region.get("constant_value") if isinstance(region, Mapping) else None
        if isinstance(region, str):
            attrs["region"] = region
        if provider.get("alias"):
            attrs["alias"] = provider["alias"]
        out.append(Block("aws", f"provider.{key}", origin, attrs, "provider"))
    return out


def blocks_from_plan(data: Mapping[str, Any], path: Path, text: str) -> list[Block]:
    """Every managed resource of the plan, data sources from the configuration, providers."""
    shown = display_path(path)
    lines = _lines_of_addresses(text)
    config = data.get("configuration") or {}
    configured = dict(_config_resources(config.get("root_module") or {}, ""))
    changes = {c.get("address"): c.get("change") or {} for c in data.get("resource_changes") or ()}
    blocks = _providers(config, Origin(shown, 1))
    planned = (data.get("planned_values") or {}).get("root_module") or {}
    for resource in _walk_modules(planned):
        address = str(resource.get("address", ""))
        base = _INSTANCE_KEY.sub("", address)  # the configuration has no instance keys
        prefix = _module_prefix(address)
        expressions = (configured.get(base) or {}).get("expressions")
        unknown = changes.get(address, {}).get("after_unknown")
        attrs = _convert(resource.get("values"), unknown, expressions, prefix, address)
        provider = (configured.get(base) or {}).get("provider_config_key", "")
        if "." in str(provider):
            attrs["provider"] = Ref(str(provider).split(":")[-1])
        mode = "data" if resource.get("mode") == "data" else "resource"
        blocks.append(
            Block(
                str(resource.get("type")),
                address,
                Origin(shown, lines.get(address, 1)),
                attrs,
                mode,
            )
        )
    seen = {b.address for b in blocks}
    for address, resource in configured.items():
        if resource.get("mode") == "data" and address not in seen:
            attrs = _convert({}, {}, {}, _module_prefix(address), address)
            for name, expr in (resource.get("expressions") or {}).items():
                if isinstance(expr, Mapping) and "constant_value" in expr:
                    attrs[name] = expr["constant_value"]
            blocks.append(
                Block(
                    str(resource.get("type")),
                    address,
                    Origin(shown, lines.get(address, 1)),
                    attrs,
                    "data",
                )
            )
    return blocks


def plan_gaps(
    data: Mapping[str, Any], path: Path, text: str
) -> tuple[list[Block], list[InputProblem]]:
    """Resources the plan did not plan (deferred), judged once from what it knows, and a
    problem for each of them and for a plan that errored."""
    shown = display_path(path)
    lines = _lines_of_addresses(text)
    config = data.get("configuration") or {}
    configured = dict(_config_resources(config.get("root_module") or {}, ""))
    problems = []
    if data.get("errored") is True:
        message = "the plan errored: Terraform did not plan everything; what it planned is judged"
        problems.append(InputProblem(shown, None, message))
    planned = (data.get("planned_values") or {}).get("root_module") or {}
    seen = {str(r.get("address")) for r in _walk_modules(planned)}
    blocks = []
    for deferred in data.get("deferred_changes") or ():
        change = (deferred or {}).get("resource_change") or {}
        address, kind = str(change.get("address", "")), str(change.get("type", ""))
        if change.get("mode") == "data" or not kind.startswith(MAPPED) or address in seen:
            continue
        named = address.replace("[*]", "[?]")
        planned = change.get("change") or {}
        after, unknown = planned.get("after"), planned.get("after_unknown")
        origin = Origin(shown, lines.get(address, 1))
        why = f"{address}: Terraform deferred it ({deferred.get('reason') or 'no reason given'})"
        if not isinstance(after, Mapping):
            problems.append(InputProblem(shown, origin.line, f"{why}; it is not scanned"))
            continue
        expressions = (configured.get(_INSTANCE_KEY.sub("", address)) or {}).get("expressions")
        attrs = _convert(after, unknown, expressions, _module_prefix(address), named)
        blocks.append(Block(kind, named, origin, attrs, "resource"))
        problems.append(InputProblem(shown, origin.line, f"{why}; judged once as {named}"))
    return blocks, problems
