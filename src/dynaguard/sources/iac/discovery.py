"""Find the infrastructure code under the given paths and tell what each file may be.

``.tf`` / ``.tf.json`` files are Terraform, grouped by directory (a directory is a module); the
Terraform loader checks every file of a module directory before the parser reads it. Other
JSON and YAML files are told apart by a cheap look at their text: a Terraform plan
(``terraform show -json``) has ``format_version`` and ``planned_values``/``resource_changes``; a
CloudFormation template (also CDK's ``cdk.out/*.template.json``) has ``Resources`` and ``AWS::``
types. The full parse happens in a worker process, which has the last word (a JSON file that
only mentions those words is not ours and is skipped silently when found by walking).

Files that are not files are never opened (see ``files``): a FIFO, socket or device is skipped
with a notice; a link to a directory is not followed (its target is scanned under its own path
when it lies inside the scanned paths, so no link loop and nothing twice); a file above the size
limit, an unreadable file or directory is a problem: reported, and the audit is incomplete.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.sources.iac.files import IacLimits, UnsafeFile, lenient_text, read_capped
from dynaguard.sources.iac.paths import display_path
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
    # JSON/YAML files that look like a plan or a template, and whether they were named
    documents: list[tuple[Path, bool]] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # what the documents looked like
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def is_terraform_file(path: Path) -> bool:
    return path.name.endswith((".tf", ".tf.json"))


def is_candidate(path: Path) -> bool:
    """A name infrastructure code may have (only these are ever opened by discovery)."""
    return is_terraform_file(path) or path.suffix in (".json", *_YAML_SUFFIXES)


def looks_like(path: Path, text: str) -> str | None:
    """plan | template | None, from the text alone (the worker parses and decides)."""
    if path.suffix == ".json":
        planned = '"planned_values"' in text or '"resource_changes"' in text
        if '"format_version"' in text and planned:
            return "plan"
        if '"Resources"' in text and ('"AWS::' in text or '"Custom::' in text):
            return "template"
        return None
    if "AWSTemplateFormatVersion" in text or (_CFN_YAML.search(text) and _CFN_TYPE.search(text)):
        return "template"
    return None


class _Discovery:
    def __init__(self, roots: Sequence[Path], limits: IacLimits) -> None:
        self.inputs = Inputs()
        self.limits = limits
        self.roots = [r.resolve() for r in roots]

    def problem(self, path: Path, message: str) -> None:
        self.inputs.problems.append(InputProblem(display_path(path), None, message, "input"))

    def skipped(self, path: Path, reason: UnsafeFile) -> None:
        if reason.problem:
            self.problem(path, reason.reason)
        else:
            self.inputs.notices.append(f"{display_path(path)}: {reason.reason}")

    def add(self, path: Path, explicit: bool) -> None:
        if is_terraform_file(path):
            self._add_terraform(path, explicit)
            return
        if not is_candidate(path):
            if explicit:
                self._not_ours(path)
            return
        try:
            text = lenient_text(read_capped(path, self.limits.max_file_bytes))
        except UnsafeFile as reason:
            self.skipped(path, reason)
            return
        kind = looks_like(path, text)
        if kind:
            self.inputs.documents.append((path, explicit))
            self.inputs.kinds.add(kind)
        elif explicit:
            self._not_ours(path)

    def _not_ours(self, path: Path) -> None:
        self.inputs.notices.append(
            f"{display_path(path)}: not Terraform, a plan or a CloudFormation template; skipped"
        )

    def _add_terraform(self, path: Path, explicit: bool) -> None:
        terraform = self.inputs.terraform
        if not explicit:
            terraform[path.parent] = None  # the whole directory
        elif path.parent not in terraform:
            terraform[path.parent] = {path}
        elif (wanted := terraform[path.parent]) is not None:
            wanted.add(path)

    def walk(self, root: Path) -> None:
        def unreadable(exc: OSError) -> None:
            where = Path(exc.filename) if exc.filename else root
            self.problem(where, f"cannot read the directory: {exc.strerror or exc}")

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            here = Path(dirpath)
            dirnames[:] = [d for d in sorted(dirnames) if self._descend(here, d)]
            for name in sorted(filenames):
                self.add(here / name, explicit=False)

    def _descend(self, parent: Path, name: str) -> bool:
        if name in SKIP_DIRS or (name.startswith("asset.") and parent.name == "cdk.out"):
            return False
        path = parent / name
        if not path.is_symlink():
            return True
        target = path.resolve()
        if not any(target == r or r in target.parents for r in self.roots):
            self.inputs.notices.append(
                f"{display_path(path)}: a link to a directory outside the scanned paths "
                f"({target}); not followed (name the target to scan it)"
            )
        return False  # inside: scanned under its own path, once

    def path(self, path: Path) -> None:
        try:
            path.stat()
        except OSError:
            if path.is_symlink():
                self.inputs.notices.append(f"{display_path(path)}: a broken symbolic link")
            else:
                self.problem(path, "no such file or directory")
            return
        if path.is_dir():
            self.walk(path.resolve())
        else:  # a FIFO or device named explicitly is reported by the safe reader
            self.add(path.resolve(), explicit=True)


def discover(paths: Sequence[Path], limits: IacLimits | None = None) -> Inputs:
    """Everything under ``paths`` (files or directories, recursively) that may be IaC."""
    found = _Discovery(paths, limits or IacLimits())
    for path in paths:
        found.path(path)
    return found.inputs
