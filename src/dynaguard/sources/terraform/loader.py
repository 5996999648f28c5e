"""Load Terraform root modules with tfparse, keeping parse errors per file.

A directory of ``.tf`` files is a module. Directories that another scanned directory uses as a
local module (``source = "./modules/x"``) are evaluated through their caller, with its inputs,
not on their own. tfparse drops a module file that does not parse without a word, so every
local module a root uses (also one outside the scanned paths) is checked for parse errors on its
own, and one its caller names but that does not exist is reported too.

Two sides. ``terraform_work`` runs in the parent, without tfparse: which directories are roots,
which modules they use, and which roots cannot be parsed safely (``safety``). ``load_module``
and ``check_module_dir`` run in worker processes (``sources.iac.workers``): tfparse is Go in the
calling process, and a panic or a runaway evaluation must cost one unit, not the run.

tfparse silently skips a file that does not parse unless asked to stop; we ask it to stop,
report the error (file and line), then load the rest of the directory without the broken file
and find any other broken file one by one, so one bad file never hides the others.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.discovery import is_terraform_file
from dynaguard.sources.iac.files import IacLimits, UnsafeFile, lenient_text, read_capped
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.terraform.parse_mirror import parse_through_mirror
from dynaguard.sources.terraform.safety import Calls, blockers, huge_expansions

_LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")
_ERROR_AT = re.compile(
    # FILE:LINE[,COL[-LINE[,COL]]]: message (HCL's diagnostic ranges)
    r"(?P<file>[^\s:]+\.tf(?:\.json)?):(?P<line>\d+)(?:,\d+(?:-\d+(?:,\d+)?)?)?:\s*(?P<msg>.*)"
)
_AUTO_VARS = ("terraform.tfvars", "terraform.tfvars.json")
# tfparse's own wording around the HCL diagnostic, not meant for users
_INTERNAL_PREFIX = re.compile(r"^(?:unable to create \w+|failed to \w+ \w+):\s*")
_MORE_DIAGNOSTICS = re.compile(r",? and \d+ other diagnostic\(s\)\s*$")
_MAX_BYTES = IacLimits().max_file_bytes


@dataclass(slots=True)
class LoadedModule:
    root: Path
    wanted: set[Path] | None
    parsed: Mapping[str, Any] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)


def _calls_in(directory: Path, path: Path, text: str) -> dict[Path, tuple[Path, int]]:
    found: dict[Path, tuple[Path, int]] = {}
    if '"./' in text or '"../' in text:  # a quick look first: most files call no module
        for match in _LOCAL_SOURCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault((directory / match.group(1)).resolve(), (path, line))
    return found


class ModuleIndex:
    """Local module calls and literal-expansion problems per directory, each ``.tf`` file read
    once (safely: files that cannot be are left to ``safety.unsafe_files``, which reports them)."""

    def __init__(self, max_bytes: int = _MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._calls: dict[Path, dict[Path, tuple[Path, int]]] = {}
        self._expansions: dict[Path, list[InputProblem]] = {}

    def _scan(self, directory: Path) -> None:
        calls: dict[Path, tuple[Path, int]] = {}
        expansions: list[InputProblem] = []
        try:
            paths = sorted(p for p in directory.iterdir() if p.name.endswith(".tf"))
        except OSError:
            paths = []
        for path in paths:
            try:
                text = lenient_text(read_capped(path, self.max_bytes))
            except UnsafeFile:
                continue
            for called, call in _calls_in(directory, path, text).items():
                calls.setdefault(called, call)
            expansions += huge_expansions(path, text)
        self._calls[directory], self._expansions[directory] = calls, expansions

    def calls(self, directory: Path) -> dict[Path, tuple[Path, int]]:
        if directory not in self._calls:
            self._scan(directory)
        return self._calls[directory]

    def expansions(self, directory: Path) -> list[InputProblem]:
        if directory not in self._expansions:
            self._scan(directory)
        return self._expansions[directory]


def module_calls(directory: Path, max_bytes: int = _MAX_BYTES) -> dict[Path, tuple[Path, int]]:
    """Directories used as local modules by the .tf files of ``directory``, each with the
    file and line of its first ``source``."""
    return ModuleIndex(max_bytes).calls(directory)


def modules_of(roots: Iterable[Path], calls: Calls = module_calls) -> dict[Path, tuple[Path, int]]:
    """Every local module the roots use, transitively, wherever it lives (also outside the
    scanned paths: ``source = "../../modules/x"``), with the call that first names it."""
    found: dict[Path, tuple[Path, int]] = {}
    pending = list(roots)
    while pending:
        for directory, call in calls(pending.pop()).items():
            if directory not in found:
                found[directory] = call
                if directory.is_dir():
                    pending.append(directory)
    return found


def split_roots(dirs: Iterable[Path], calls: Calls = module_calls) -> tuple[list[Path], list[Path]]:
    """(root modules, directories only used as modules by another scanned directory)."""
    dirs = sorted(set(dirs))
    used: set[Path] = set()
    for d in dirs:
        used |= set(calls(d))
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
    message = _MORE_DIAGNOSTICS.sub("", _INTERNAL_PREFIX.sub("", message.strip()))
    match = _ERROR_AT.search(message)
    if match is None:
        return InputProblem(display_path(root), None, f"cannot load Terraform: {message}")
    file = root / match.group("file")
    return InputProblem(display_path(file), int(match.group("line")), match.group("msg").strip())


def _tfparse() -> Any:
    """tfparse, loaded on first use in a worker process (never in the parent: see workers)."""
    import tfparse

    return tfparse


def _parse(directory: Path, var_files: list[str]) -> Mapping[str, Any]:
    result: Mapping[str, Any] = _tfparse().load_from_path(
        str(directory), stop_on_hcl_error=True, vars_paths=var_files
    )
    return result


def _broken_files(directory: Path) -> list[InputProblem]:
    """Parse each file alone (in a scratch directory) to find every file that does not parse."""
    problems = []
    tfparse = _tfparse()
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


def load_module(
    root: Path,
    wanted: set[Path] | None,
    var_files: list[Path],
    blanked: Mapping[Path, frozenset[int]] | None = None,
) -> LoadedModule:
    """A root module parsed by tfparse (in a worker process), with its parse problems
    (``blanked``: lines emptied in the parsed copy, see ``unexpanded.py``)."""
    tfparse = _tfparse()
    loaded = LoadedModule(root, wanted)
    try:
        names = var_files_for(root, var_files)
        loaded.parsed = parse_through_mirror(root, names, _parse, blanked)
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
    tfparse = _tfparse()
    try:
        tfparse.load_from_path(str(directory), stop_on_hcl_error=True)
    except tfparse.ParseError:
        return _broken_files(directory)
    return []


@dataclass(frozen=True, slots=True)
class TerraformWork:
    """What to parse: root modules (with the files asked for), module directories to check
    for parse errors, and the problems of roots that cannot be parsed safely."""

    roots: tuple[tuple[Path, frozenset[Path] | None], ...]
    module_checks: tuple[tuple[Path, tuple[Path, int] | None], ...]
    problems: tuple[InputProblem, ...]


def terraform_work(dirs: Mapping[Path, set[Path] | None], limits: IacLimits) -> TerraformWork:
    """Every root module of ``dirs`` that can be parsed, the local modules to check (those the
    roots use, scanned or not, and scanned directories only used as modules), and a problem per
    reason a root cannot be parsed (parent side: no tfparse here)."""
    index = ModuleIndex(limits.max_file_bytes)
    roots, modules = split_roots(dirs, index.calls)
    problems: dict[str, InputProblem] = {}
    parsed, blocked = [], set()
    for root in [*roots, *modules]:
        used = modules_of([root], index.calls)
        found = blockers(root, used, index.calls, index.expansions, limits.max_file_bytes)
        for problem in found:
            message = f"{problem.message}: Terraform in {display_path(root)} is not scanned"
            problems.setdefault(message, InputProblem(problem.file, problem.line, message))
        if found:
            blocked.add(root)
        elif root in roots:
            parsed.append(root)
    called = modules_of(parsed, index.calls)
    checks = sorted((set(modules) | set(called)) - set(roots) - blocked)
    return TerraformWork(
        roots=tuple((r, frozenset(w) if (w := dirs[r]) is not None else None) for r in parsed),
        module_checks=tuple((d, called.get(d)) for d in checks),
        problems=tuple(problems.values()),
    )
