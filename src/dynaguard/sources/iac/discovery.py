"""Find the infrastructure code under the given paths and tell what each file is.

``.tf`` / ``.tf.json`` files are Terraform, grouped by directory (a directory is a module).
Other JSON and YAML files are classified by content: a Terraform plan (``terraform show -json``)
has ``format_version`` and ``planned_values``/``resource_changes``; a CloudFormation template
(also CDK's ``cdk.out/*.template.json``) has a ``Resources`` map of ``AWS::`` types. Anything
else (package.json, Kubernetes manifests, CI files) is not ours and is skipped silently when
found by walking a directory.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.sources.iac.problems import InputProblem

SKIP_DIRS = frozenset(
    {
        ".terraform",
        ".terragrunt-cache",
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".idea",
    }
)
_YAML_SUFFIXES = (".yaml", ".yml", ".template")
_CFN_YAML = re.compile(r"^(AWSTemplateFormatVersion\s*:|Resources\s*:)", re.MULTILINE)
_CFN_TYPE = re.compile(r"Type\s*:\s*['\"]?AWS::")


@dataclass(slots=True)
class Inputs:
    # directory -> the files asked for explicitly (None: every .tf file of the directory)
    terraform: dict[Path, set[Path] | None] = field(default_factory=dict)
    plans: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def is_terraform_file(path: Path) -> bool:
    return path.name.endswith((".tf", ".tf.json"))


def _json_kind(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if '"format_version"' not in text and '"Resources"' not in text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return "broken-json" if '"AWS::' in text or '"planned_values"' in text else None
    if not isinstance(data, dict):
        return None
    if "format_version" in data and ("planned_values" in data or "resource_changes" in data):
        return "plan"
    resources = data.get("Resources")
    if isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
        for r in resources.values()
    ):
        return "template"
    if isinstance(resources, dict) and any(str(k).startswith("Fn::ForEach::") for k in resources):
        return "template"  # AWS::LanguageExtensions: every resource inside a loop
    return None


def _yaml_kind(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "AWSTemplateFormatVersion" in text or (_CFN_YAML.search(text) and _CFN_TYPE.search(text)):
        return "template"
    return None


def classify(path: Path) -> str | None:
    """terraform | plan | template | broken-json | None (not infrastructure code)."""
    if is_terraform_file(path):
        return "terraform"
    if path.suffix == ".json":
        return _json_kind(path)
    if path.suffix in _YAML_SUFFIXES:
        return _yaml_kind(path)
    return None


def _add(inputs: Inputs, path: Path, kind: str | None, explicit: bool) -> None:
    if kind == "terraform":
        if not explicit:
            inputs.terraform[path.parent] = None  # the whole directory
        elif path.parent not in inputs.terraform:
            inputs.terraform[path.parent] = {path}
        elif (wanted := inputs.terraform[path.parent]) is not None:
            wanted.add(path)
    elif kind == "plan":
        inputs.plans.append(path)
    elif kind in ("template", "broken-json"):
        inputs.templates.append(path)
    elif explicit:
        inputs.notices.append(
            f"{path}: not Terraform, a plan or a CloudFormation template; skipped"
        )


def _walk(inputs: Inputs, root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS
            and not (d.startswith("asset.") and Path(dirpath).name == "cdk.out")
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            _add(inputs, path, classify(path), explicit=False)


def discover(paths: Sequence[Path]) -> Inputs:
    """Classify every input under ``paths`` (files or directories, recursively)."""
    inputs = Inputs()
    for path in paths:
        if path.is_dir():
            _walk(inputs, path.resolve())
        elif path.is_file():
            _add(inputs, path.resolve(), classify(path), explicit=True)
        else:
            inputs.problems.append(
                InputProblem(str(path), None, "no such file or directory", "input")
            )
    return inputs
