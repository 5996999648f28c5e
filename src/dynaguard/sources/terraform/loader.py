"""Load Terraform root modules with tfparse, in parallel, keeping parse errors per file.

A directory of ``.tf`` files is a module. Directories that another scanned directory uses as a
local module (``source = "./modules/x"``) are evaluated through their caller, with its inputs,
not on their own. tfparse drops a module file that does not parse without a word, so every
local module a root uses (also one outside the scanned paths) is checked for parse errors on its
own, and one its caller names but that does not exist is reported too.

tfparse is a Go library behind cffi: calls release the GIL, so a small thread pool uses both
cores. It silently skips a file that does not parse unless asked to stop; we ask it to stop,
report the error (file and line), then load the rest of the directory without the broken file
and find any other broken file one by one, so one bad file never hides the others.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tfparse  # type: ignore[import-untyped]

from dynaguard.sources.iac.discovery import is_terraform_file
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.parse_mirror import parse_through_mirror
from dynaguard.sources.terraform.sources import display_path

_LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")
_ERROR_AT = re.compile(
    # FILE:LINE[,COL[-LINE[,COL]]]: message (HCL's diagnostic ranges)
    r"(?P<file>[^\s:]+\.tf(?:\.json)?):(?P<line>\d+)(?:,\d+(?:-\d+(?:,\d+)?)?)?:\s*(?P<msg>.*)"
)
_AUTO_VARS = ("terraform.tfvars", "terraform.tfvars.json")


@dataclass(slots=True)
class LoadedModule:
    root: Path
    wanted: set[Path] | None
    parsed: Mapping[str, Any] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)


def module_calls(directory: Path) -> dict[Path, tuple[Path, int]]:
    """Directories used as local modules by the .tf files of ``directory``, each with the
    file and line of its first ``source``."""
    found: dict[Path, tuple[Path, int]] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name.endswith(".tf"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "source" not in text:
                continue
            for match in _LOCAL_SOURCE.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.setdefault((directory / match.group(1)).resolve(), (path, line))
    return found


def local_module_dirs(directory: Path) -> set[Path]:
    """Directories used as local modules by the .tf files of ``directory``."""
    return set(module_calls(directory))


def modules_of(roots: Iterable[Path]) -> dict[Path, tuple[Path, int]]:
    """Every local module the roots use, transitively, wherever it lives (also outside the
    scanned paths: ``source = "../../modules/x"``), with the call that first names it."""
    found: dict[Path, tuple[Path, int]] = {}
    pending = list(roots)
    while pending:
        for directory, call in module_calls(pending.pop()).items():
            if directory not in found:
                found[directory] = call
                if directory.is_dir():
                    pending.append(directory)
    return found


def split_roots(dirs: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(root modules, directories only used as modules by another scanned directory)."""
    dirs = sorted(set(dirs))
    used: set[Path] = set()
    for d in dirs:
        used |= local_module_dirs(d)
    return [d for d in dirs if d not in used], [d for d in dirs if d in used]


def var_files_for(root: Path, extra: Iterable[Path]) -> list[str]:
    """terraform.tfvars, *.auto.tfvars (lexical order, as Terraform), then -var-file files."""
    names = [n for n in _AUTO_VARS if (root / n).is_file()]
    names += sorted(
        p.name for p in root.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
    )
    return names + [os.path.relpath(p.resolve(), root) for p in extra]


def parse_error(message: str, root: Path) -> InputProblem:
    """One clear line from tfparse's error: file, line and the HCL diagnostic."""
    match = _ERROR_AT.search(message)
    if match is None:
        message = message.replace("unable to create TerraformConverter: ", "")  # tfparse's
        return InputProblem(display_path(root), None, f"cannot load Terraform: {message}")
    file = root / match.group("file")
    return InputProblem(display_path(file), int(match.group("line")), match.group("msg").strip())


def _parse(directory: Path, var_files: list[str]) -> Mapping[str, Any]:
    result: Mapping[str, Any] = tfparse.load_from_path(
        str(directory), stop_on_hcl_error=True, vars_paths=var_files
    )
    return result


def _broken_files(directory: Path) -> list[InputProblem]:
    """Parse each file alone (in a scratch directory) to find every file that does not parse."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="dynaguard-tf-") as scratch:
        for path in sorted(directory.iterdir()):
            if not (path.is_file() and is_terraform_file(path)):
                continue
            copy = Path(scratch) / path.name
            shutil.copyfile(path, copy)
            try:
                tfparse.load_from_path(scratch, stop_on_hcl_error=True)
            except tfparse.ParseError as exc:
                problem = parse_error(str(exc), Path(scratch))
                problems.append(InputProblem(display_path(path), problem.line, problem.message))
            copy.unlink()
    return problems


def load_module(root: Path, wanted: set[Path] | None, var_files: list[Path]) -> LoadedModule:
    loaded = LoadedModule(root, wanted)
    try:
        names = var_files_for(root, var_files)
        loaded.parsed = parse_through_mirror(root, names, _parse)
        return loaded
    except tfparse.ParseError as exc:
        first = parse_error(str(exc), root)
    broken = _broken_files(root)
    loaded.problems = broken or [first]
    try:  # the rest of the directory, without the broken files (tfparse skips them)
        loaded.parsed = tfparse.load_from_path(str(root), stop_on_hcl_error=False, vars_paths=names)
    except tfparse.ParseError as exc:
        loaded.problems.append(parse_error(str(exc), root))
    return loaded


def check_module_dir(directory: Path, call: tuple[Path, int] | None = None) -> list[InputProblem]:
    """Parse errors of a directory loaded only through its callers: tfparse silently drops a
    module file that does not parse, so each is checked on its own and reported here."""
    if not directory.is_dir():
        file, line = (display_path(call[0]), call[1]) if call else (display_path(directory), None)
        message = f"local module {display_path(directory)} not found: its code is not scanned"
        return [InputProblem(file, line, message)]
    try:
        tfparse.load_from_path(str(directory), stop_on_hcl_error=True)
    except tfparse.ParseError:
        return _broken_files(directory)
    return []


def load_all(
    dirs: Mapping[Path, set[Path] | None], var_files: list[Path], workers: int | None = None
) -> tuple[list[LoadedModule], list[InputProblem]]:
    """Every root module of ``dirs`` loaded, plus parse problems of the local modules they use
    (scanned or not) and of scanned directories only used as modules."""
    roots, modules = split_roots(dirs)
    called = modules_of(roots)
    checks = [(d, called.get(d)) for d in sorted(set(modules) | set(called) - set(roots))]
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        loaded = list(pool.map(lambda d: load_module(d, dirs[d], var_files), roots))
        module_problems = [p for ps in pool.map(lambda c: check_module_dir(*c), checks) for p in ps]
    return loaded, module_problems
