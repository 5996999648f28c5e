"""The package's import graph has no circles.

The graph is read from the source with ``ast`` (nothing is imported): an edge is any import of a
dynaguard module written anywhere in a module, at the top, inside a function (a lazy import for
start-up time is still a dependency) or under ``TYPE_CHECKING``. An import of the module's own
parent package is left out: Python initialises a package before its modules, so that edge never
decides an import order (``from dynaguard import __version__``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def module_files(root: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package ``__init__``)."""
    out = {}
    for path in (root / "dynaguard").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


def _imported_names(node: ast.AST, package: str) -> Iterator[str]:
    """Every dotted name an import statement may load (``from a import b``: ``a.b`` and ``a``)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        yield from (f"{module}.{alias.name}" for alias in node.names)
        yield module


def _owner(name: str, modules: Mapping[str, object]) -> str | None:
    """The dynaguard module ``name`` is, or is in (``dynaguard.model.Table`` -> dynaguard.model)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def edges_of(tree: ast.AST, name: str, is_package: bool, modules: Mapping[str, object]) -> set[str]:
    """The dynaguard modules that module ``name`` (parsed as ``tree``) imports."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        for imported in _imported_names(node, package):
            owner = _owner(imported, modules) if imported.startswith("dynaguard") else None
            if owner is not None and owner != name and not name.startswith(owner + "."):
                found.add(owner)
    return found


@cache
def import_graph() -> dict[str, frozenset[str]]:
    modules = module_files()
    return {
        name: frozenset(
            edges_of(ast.parse(path.read_text(encoding="utf-8")), name, is_package, modules)
        )
        for name, (path, is_package) in modules.items()
    }


def import_cycles(graph: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def describe(cycle: list[str], graph: Mapping[str, frozenset[str]]) -> str:
    inside = set(cycle)
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & inside))}" for m in cycle)


def test_the_graph_is_read_from_every_module() -> None:
    graph = import_graph()
    assert len(graph) > 200
    assert "dynaguard.model" in graph["dynaguard.controls.base"]
    modules = module_files()
    lazy = ast.parse("def f():\n    from dynaguard.cli import scan_run\n")
    assert edges_of(lazy, "dynaguard.cli.main", False, modules) == {"dynaguard.cli.scan_run"}
    typing_only = ast.parse("if TYPE_CHECKING:\n    from dynaguard.report import Report\n")
    assert edges_of(typing_only, "dynaguard.engine", False, modules) == {"dynaguard.report"}
    parent = ast.parse("from dynaguard import __version__\n")
    assert edges_of(parent, "dynaguard.report", False, modules) == set()


def test_the_cycle_finder_finds_a_circle_and_ignores_a_chain() -> None:
    circle = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert import_cycles(circle) == [["a", "b", "c"]]
    assert import_cycles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset()}) == []


def test_no_import_circles() -> None:
    graph = import_graph()
    cycles = import_cycles(graph)
    assert not cycles, "import circles: " + " | ".join(describe(c, graph) for c in cycles)
