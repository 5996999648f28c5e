"""The units of ``dynaguard iac``, each parsed in a worker process (see ``workers``).

A unit is a Terraform root module (with the local modules it uses), a local module checked on
its own for parse errors, or a JSON/YAML document (a plan or a template). Each function here
runs in a worker and returns a ``UnitResult``: model objects and problems, small and picklable,
never the parser's raw output.
"""

from __future__ import annotations

import copyreg
import dataclasses
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.files import EncodingProblem, UnsafeFile, decode_utf8, read_capped
from dynaguard.sources.iac.jsontext import deep_line
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem

MAX_JSON_DEPTH = 64  # where a problem is placed when JSON is nested too deeply to be read


def _by_constructor(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [f.name for f in dataclasses.fields(cls)]

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(obj, name) for name in names)

    return reduce


def compact_pickling() -> None:
    """Model objects travel as ``(class, field values)``: rebuilt by their constructor, about
    twice as fast as the default for frozen slotted dataclasses (one ``setattr`` loop per
    object), and results are unpickled one after the other in the parent. Only classes whose
    every field is an ``__init__`` argument and that have no ``__post_init__``."""
    from dynaguard import model

    for value in vars(model).values():
        if (
            isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and not hasattr(value, "__post_init__")
            and all(f.init for f in dataclasses.fields(value))
        ):
            copyreg.pickle(value, _by_constructor(value))


compact_pickling()


@dataclass(frozen=True, slots=True)
class UnitResult:
    declared: Declared | None = None
    problems: tuple[InputProblem, ...] = ()
    notices: tuple[str, ...] = ()
    source: Path | None = None  # the document parsed (normalised), for a plan or template
    nested: tuple[Path, ...] = ()  # templates it read as its nested stacks (normalised)


def _problem(path: Path, line: int | None, message: str) -> UnitResult:
    return UnitResult(problems=(InputProblem(display_path(path), line, message),))


def terraform_root(
    root: Path, wanted: frozenset[Path] | None, var_files: Sequence[Path]
) -> UnitResult:
    from dynaguard.sources.terraform.adapter import load_terraform_root

    unit, problems = load_terraform_root(root, wanted, list(var_files))
    return UnitResult(unit, tuple(problems))


def terraform_module(directory: Path, call: tuple[Path, int] | None) -> UnitResult:
    from dynaguard.sources.terraform.loader import check_module_dir

    return UnitResult(problems=tuple(check_module_dir(directory, call)))


def document(path: Path, explicit: bool, max_bytes: int) -> UnitResult:
    """A JSON or YAML file that looked like a plan or a template when discovered."""
    try:
        text = decode_utf8(read_capped(path, max_bytes))
    except UnsafeFile as unsafe:  # it changed since discovery
        if unsafe.problem:
            return _problem(path, None, unsafe.reason)
        return UnitResult(notices=(f"{display_path(path)}: {unsafe.reason}",))
    except EncodingProblem as bad:
        return _problem(path, bad.line, f"{bad.message}: not scanned")
    if path.suffix != ".json":
        return _template(path, text)
    try:
        data = json.loads(text)
    except RecursionError:
        return _too_deep(path, text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        return _problem(path, line, f"cannot parse JSON: {getattr(exc, 'msg', exc)}")
    kind = json_kind(data)
    if kind == "plan":
        return _plan(path, text, data)
    if kind == "template":
        return _template(path, text)
    if explicit:
        notice = (
            f"{display_path(path)}: not Terraform, a plan or a CloudFormation template; skipped"
        )
        return UnitResult(notices=(notice,))
    return UnitResult()


def json_kind(data: Any) -> str | None:
    """plan | template | None for decoded JSON (a template may still be malformed)."""
    if not isinstance(data, Mapping):
        return None
    if "format_version" in data and ("planned_values" in data or "resource_changes" in data):
        return "plan"
    if "AWSTemplateFormatVersion" in data:
        return "template"
    resources = data.get("Resources")
    if isinstance(resources, Mapping) and any(
        isinstance(r, Mapping) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
        for r in resources.values()
    ):
        return "template"
    if isinstance(resources, Mapping) and any(
        str(k).startswith("Fn::ForEach::") for k in resources
    ):
        return "template"  # AWS::LanguageExtensions: every resource inside a loop
    return None


def _too_deep(path: Path, text: str) -> UnitResult:
    line = deep_line(text, MAX_JSON_DEPTH)
    return _problem(path, line, f"nested deeper than {MAX_JSON_DEPTH} levels: not scanned")


def _plan(path: Path, text: str, data: Any) -> UnitResult:
    from dynaguard.sources.terraform.adapter import load_plan

    try:
        unit, problems = load_plan(path, text, data)
    except RecursionError:
        return _too_deep(path, text)
    return UnitResult(unit, tuple(problems), source=_normal(path))


def _template(path: Path, text: str) -> UnitResult:
    from dynaguard.sources.cloudformation.adapter import load_cloudformation
    from dynaguard.sources.cloudformation.nested_stacks import STACK, nested_template_paths

    unit, problems = load_cloudformation(path, text)
    nested = nested_template_paths([path]) if STACK in text else set()
    return UnitResult(unit, tuple(problems), source=_normal(path), nested=tuple(nested))


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path))
