"""Imports point one way: the model at the bottom, the sources above it, then the controls,
the engine, remediation and the CLI.

A source reads AWS or code into the model and never reaches up: no module under
``dynaguard.sources`` imports ``controls``, ``engine``, ``cli`` or ``remediation``, directly or
through another module (any import counts, lazy or for typing: the graph is the one the circle
test reads with ``ast``). CloudFormation is not built on Terraform: what both need is in
``sources/iac``. The model imports nothing of dynaguard but the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from tests.unit.test_import_graph import import_graph

ABOVE_SOURCES = ("dynaguard.controls", "dynaguard.engine", "dynaguard.cli", "dynaguard.remediation")


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def path_to(
    graph: Mapping[str, frozenset[str]], start: str, forbidden: tuple[str, ...]
) -> list[str] | None:
    """The shortest import chain from ``start`` to a module under ``forbidden``, if any."""
    came_from: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        module = queue.pop(0)
        if module != start and any(within(module, f) for f in forbidden):
            chain = [module]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return chain[::-1]
        for target in sorted(graph.get(module, ())):
            if target not in came_from:
                came_from[target] = module
                queue.append(target)
    return None


def test_path_to_finds_an_indirect_arrow() -> None:
    graph = {
        "dynaguard.sources.a": frozenset({"dynaguard.config"}),
        "dynaguard.config": frozenset({"dynaguard.controls.registry"}),
        "dynaguard.controls.registry": frozenset(),
    }
    assert path_to(graph, "dynaguard.sources.a", ABOVE_SOURCES) == [
        "dynaguard.sources.a",
        "dynaguard.config",
        "dynaguard.controls.registry",
    ]
    assert path_to(graph, "dynaguard.config", ("dynaguard.sources",)) is None


def test_sources_do_not_reach_up() -> None:
    graph = import_graph()
    sources = [m for m in graph if within(m, "dynaguard.sources")]
    assert len(sources) > 50
    wrong = {m: chain for m in sources if (chain := path_to(graph, m, ABOVE_SOURCES))}
    assert not wrong, "\n".join(" -> ".join(chain) for chain in wrong.values())


def test_cloudformation_does_not_import_terraform() -> None:
    graph = import_graph()
    cloudformation = [m for m in graph if within(m, "dynaguard.sources.cloudformation")]
    assert len(cloudformation) > 5
    terraform = ("dynaguard.sources.terraform",)
    wrong = {m: chain for m in cloudformation if (chain := path_to(graph, m, terraform))}
    assert not wrong, "\n".join(" -> ".join(chain) for chain in wrong.values())


def test_the_model_imports_only_the_model() -> None:
    graph = import_graph()
    model = [m for m in graph if within(m, "dynaguard.model")]
    assert len(model) > 10
    wrong = {
        m: sorted(t for t in graph[m] if not within(t, "dynaguard.model"))
        for m in model
        if any(not within(t, "dynaguard.model") for t in graph[m])
    }
    assert not wrong, wrong
