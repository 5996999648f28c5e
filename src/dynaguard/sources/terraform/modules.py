"""Modules from the registry, git and other remote sources: read through ``terraform init``.

``terraform init`` downloads every non-local module into ``.terraform/modules/`` and records
it in ``.terraform/modules/modules.json`` (``Key`` is the module path, ``a.b`` for module b
called inside module a; ``Dir`` is where its code is, relative to the root module). tfparse
reads modules through that file too, and skips a module it cannot find without a word. So
every module call of a root (and of the modules it uses, transitively) is checked here, and
each one whose code cannot be read is one problem at the call's file and line, saying why:

- no ``modules.json`` at all: ``terraform init`` has not run;
- the module is not in it, its directory is missing, or (registry modules) the code now names
  another source than the one installed: ``terraform init`` has to run again.

Module sources: https://developer.hashicorp.com/terraform/language/modules/sources
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.expressions import block_attribute, child_blocks

MODULES_JSON = Path(".terraform") / "modules" / "modules.json"
REGISTRY_HOST = "registry.terraform.io/"
_MODULE_BLOCK = re.compile(r'\s*module\s+"([^"]+)"\s*\{')
_REGISTRY = re.compile(r"^(?:[\w.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]+/[\w-]+(?://.*)?$")
_GIT = ("git::", "git@", "github.com/", "bitbucket.org/")
_OTHER_REMOTE = ("hg::", "s3::", "gcs::", "http://", "https://")


@dataclass(frozen=True, slots=True)
class ModuleCall:
    """``module "name" { source = ... }`` in one file."""

    name: str
    source: str | None
    version: str | None
    file: Path
    line: int

    @property
    def kind(self) -> str:
        """local | registry | git | remote | unknown (``source`` is not a literal)."""
        source = self.source
        if source is None:
            return "unknown"
        if source.startswith(("./", "../", ".\\", "..\\")):
            return "local"
        if source.startswith(_GIT):
            return "git"
        if source.startswith(_OTHER_REMOTE):
            return "remote"
        return "registry" if _REGISTRY.match(source) else "remote"

    def describe(self) -> str:
        shown = f"{self.kind} source {self.source}" if self.source else "source not a literal"
        return f'module "{self.name}" ({shown}{" " + self.version if self.version else ""})'


def module_calls(directory: Path) -> Iterator[ModuleCall]:
    """Every module block of the ``.tf`` files of ``directory``, in file order."""
    for path in sorted(directory.glob("*.tf")):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
        if "module" not in "".join(lines):
            continue
        for text, first, last in child_blocks(["{", *lines, "}"], 1, len(lines) + 2):
            match = _MODULE_BLOCK.match(text)
            if match is None:
                continue
            start, end = first - 1, last - 1  # the wrapper's extra first line
            source = _literal(block_attribute(lines, start, end, "source"))
            version = _literal(block_attribute(lines, start, end, "version"))
            yield ModuleCall(match.group(1), source, version, path, start)


def _literal(expr: object) -> str | None:
    text = getattr(expr, "text", None)
    if isinstance(text, str) and re.fullmatch(r'"[^"$]*"', text.strip()):
        return text.strip()[1:-1]
    return None


def _installed(root: Path) -> dict[str, dict[str, str]] | None:
    """modules.json entries by key, or None when ``terraform init`` has not run."""
    path = root / MODULES_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = data.get("Modules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    return {str(e.get("Key", "")): e for e in entries if isinstance(e, dict)}


def _registry_address(source: str) -> str:
    return source if source.count("/") >= 3 else REGISTRY_HOST + source


def _problem(call: ModuleCall, why: str) -> InputProblem:
    return InputProblem(
        display_path(call.file),
        call.line,
        f"{call.describe()} cannot be read: {why}; its resources are not scanned",
        "input",
    )


def _resolve(
    call: ModuleCall, key: str, root: Path, installed: dict[str, dict[str, str]] | None
) -> Path | InputProblem:
    """The directory of the module's code, or the problem that stops reading it."""
    if call.kind == "local" and call.source is not None:
        return Path(os.path.normpath(call.file.parent / call.source))
    if call.kind == "unknown":
        return _problem(call, "its source is not a literal string")
    if installed is None:
        return _problem(call, f"no {MODULES_JSON.as_posix()} (run terraform init)")
    entry = installed.get(key)
    if entry is None:
        return _problem(call, f"not in {MODULES_JSON.as_posix()} (run terraform init again)")
    recorded = str(entry.get("Source", ""))
    changed = call.kind == "registry" and call.source and recorded
    if changed and _registry_address(str(call.source)) != recorded:
        return _problem(
            call, f"{recorded} is installed, not this source (run terraform init again)"
        )
    directory = Path(os.path.normpath(root / str(entry.get("Dir", ""))))
    if not directory.is_dir():
        shown = display_path(directory)
        return _problem(call, f"installed at {shown}, which is missing (run terraform init)")
    return directory


def unreadable_modules(root: Path, wanted: set[Path] | None = None) -> list[InputProblem]:
    """One problem per module call (of ``root`` and, transitively, of the modules it uses)
    whose code cannot be read. With ``wanted``, only calls in those files of the root count.
    Local modules that do not exist are reported by the loader."""
    installed = _installed(root)
    problems: list[InputProblem] = []
    pending: list[tuple[Path, str]] = [(root, "")]
    seen: set[tuple[Path, str]] = set()
    while pending:
        directory, prefix = pending.pop()
        for call in module_calls(directory):
            if prefix == "" and wanted is not None and call.file not in wanted:
                continue
            key = f"{prefix}{call.name}"
            found = _resolve(call, key, root, installed)
            if isinstance(found, InputProblem):
                problems.append(found)
            elif found.is_dir() and (found, key) not in seen:
                seen.add((found, key))
                pending.append((found, f"{key}."))
    unique = {(p.file, p.line): p for p in problems}  # a module called twice: one line
    return sorted(unique.values(), key=lambda p: (p.file, p.line or 0))
