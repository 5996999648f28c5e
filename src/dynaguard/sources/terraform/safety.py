"""Whether a Terraform root module can be handed to the parser at all (parent side, no tfparse).

tfparse reads every ``.tf``, ``.tf.json`` and ``.tfvars`` file of each module directory and
follows module calls, in the calling process. Before a module is parsed:

- every such file of the root and of each local module it uses must be a regular file within the
  size limit (a FIFO named ``x.tf`` blocks the reader forever, a link to ``/dev/zero`` never ends);
- its local modules must not form a cycle (``source = "./"``, or two folders sourcing each
  other): the parser recurses until memory runs out;
- no literal ``count`` or ``range()`` may exceed ``MAX_INSTANCES``: the parser's expansion grows
  faster than linearly (measured: 1,000 instances 1.4 s, 3,000 27 s, 10,000 8 minutes).

A module that fails one of these is one problem per cause, at its file and line, and is not
parsed; every other module still is. The worker limits remain the backstop for what cannot be
seen from the text (a count from a variable, a registry module).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from dynaguard.sources.iac.files import UnsafeFile, check_file
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem

MAX_INSTANCES = 1000
_READ_BY_PARSER = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_LITERAL_EXPANSION = re.compile(
    r"^\s*count\s*=\s*(?P<count>\d+)\s*(?:#.*|//.*)?$|\brange\(\s*(?P<range>\d+)\s*[,)]",
    re.MULTILINE,
)
Calls = Callable[[Path], dict[Path, tuple[Path, int]]]


def unsafe_files(directory: Path, max_bytes: int) -> list[InputProblem]:
    """Files of ``directory`` the parser would read but cannot safely (or the dir itself)."""
    try:
        names = sorted(e.name for e in os.scandir(directory) if e.name.endswith(_READ_BY_PARSER))
    except OSError as exc:
        return [InputProblem(display_path(directory), None, f"cannot read: {exc.strerror}")]
    problems = []
    for name in names:
        try:
            check_file(directory / name, max_bytes)
        except UnsafeFile as unsafe:
            reason = unsafe.reason.removesuffix(": skipped").removesuffix(": not read")
            problems.append(InputProblem(display_path(directory / name), None, reason, "input"))
    return problems


def huge_expansions(path: Path, text: str) -> list[InputProblem]:
    """Literal ``count = N`` or ``range(N)`` above ``MAX_INSTANCES`` in one file's text."""
    problems: list[InputProblem] = []
    if "count" not in text and "range(" not in text:
        return problems
    for match in _LITERAL_EXPANSION.finditer(text):
        number = int(match.group("count") or match.group("range"))
        if number > MAX_INSTANCES:
            what = "count" if match.group("count") else "range()"
            line = text.count("\n", 0, match.start()) + 1
            problems.append(
                InputProblem(
                    display_path(path),
                    line,
                    f"{what} of {number:,} is above the limit of {MAX_INSTANCES:,} instances "
                    "per block",
                )
            )
    return problems


def module_cycle(root: Path, calls: Calls) -> InputProblem | None:
    """The first cycle among the local modules reachable from ``root``, at the call closing it
    (depth first, without recursion: a chain of a thousand folders is no problem)."""
    on_path = [root]
    stack = [iter(sorted(calls(root).items()))]
    done: set[Path] = set()
    while stack:
        for called, (file, line) in stack[-1]:
            if called in on_path:
                loop = [*on_path[on_path.index(called) :], called]
                message = (
                    f"module {display_path(called)} uses itself"
                    if len(loop) == 2
                    else "local modules form a cycle ("
                    + " -> ".join(display_path(d) for d in loop)
                    + ")"
                )
                return InputProblem(display_path(file), line, message)
            if called not in done and called.is_dir():
                on_path.append(called)
                stack.append(iter(sorted(calls(called).items())))
                break
        else:
            stack.pop()
            done.add(on_path.pop())
    return None


def blockers(
    root: Path,
    module_dirs: Iterable[Path],
    calls: Calls,
    expansions: Callable[[Path], list[InputProblem]],
    max_bytes: int,
) -> list[InputProblem]:
    """Why ``root`` (using ``module_dirs``) cannot be parsed: one problem per cause, or none."""
    problems: list[InputProblem] = []
    cycle = module_cycle(root, calls)
    if cycle:
        problems.append(cycle)
    for directory in [root, *sorted(set(module_dirs) - {root})]:
        if directory.is_dir():
            problems += unsafe_files(directory, max_bytes)
            problems += expansions(directory)
    return problems
