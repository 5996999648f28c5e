"""The parts of Terraform's plan JSON that dynaguard reads, as types.

A plan that does not fit (a ``resources`` that is not a list, an ``address`` that is a number)
is one problem naming the first mismatch, its file and line, and the plan is not scanned: plans
are written by Terraform, so a mismatch means a broken or forged file, not code to judge.
Values (``values``, ``after_unknown``, ``expressions``) stay free-form here; the reader takes
what it understands from them and treats the rest as unresolved.

Reference: https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from dynaguard.sources.cloudformation.schema import describe
from dynaguard.sources.iac.jsontext import line_of_path


class PlannedResource(TypedDict, total=False):
    address: str
    mode: str
    type: str
    values: dict[str, Any] | None


class PlannedModule(TypedDict, total=False):
    address: str
    resources: list[PlannedResource] | None
    child_modules: list[PlannedModule] | None


class PlannedValues(TypedDict, total=False):
    root_module: PlannedModule | None


class Change(TypedDict, total=False):
    after: Any
    after_unknown: Any


class ResourceChange(TypedDict, total=False):
    address: str
    mode: str
    type: str
    change: Change | None


class DeferredChange(TypedDict, total=False):
    reason: str
    resource_change: ResourceChange | None


class ProviderConfig(TypedDict, total=False):
    name: str
    alias: str
    expressions: dict[str, Any] | None


class ConfigResource(TypedDict, total=False):
    address: str
    mode: str
    type: str
    provider_config_key: str
    expressions: dict[str, Any] | None


class ModuleCall(TypedDict, total=False):
    module: ConfigModule | None


class ConfigModule(TypedDict, total=False):
    resources: list[ConfigResource] | None
    module_calls: dict[str, ModuleCall] | None


class Configuration(TypedDict, total=False):
    provider_config: dict[str, ProviderConfig] | None
    root_module: ConfigModule | None


class Plan(TypedDict, total=False):
    format_version: str
    planned_values: PlannedValues | None
    resource_changes: list[ResourceChange] | None
    deferred_changes: list[DeferredChange] | None
    configuration: Configuration | None
    errored: bool


@cache
def _adapter() -> TypeAdapter[Plan]:
    return TypeAdapter(Plan)


def plan_mismatch(data: Any, text: str) -> tuple[int | None, str] | None:
    """(line, message) of the first place where ``data`` is not a plan's shape, or None."""
    try:
        _adapter().validate_python(data, strict=True)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = list(error["loc"])
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        expected = str(error["msg"]).removeprefix("Input should be ").rstrip(".")
        got = describe(error.get("input"))
        message = f"{where or 'the plan'}: expected {expected}, got {got}"
        return line_of_path(text, loc), f"not a Terraform plan as written by Terraform: {message}"
    return None
