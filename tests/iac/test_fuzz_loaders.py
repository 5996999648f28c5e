"""Seeded, bounded fuzzing of the IaC loaders: whatever the input, a result or one clean line.

Each property draws inputs from the formats' own vocabulary (wrong arities and types, odd
nesting, hostile strings) or mutates the real fixtures byte by byte, and checks that the loader
returns a result that can cross the process boundary, with problems that are one printable line
each: never an exception. Templates and plans are loaded in-process (their loaders are Python);
Terraform goes through the worker processes, as in a run. ``derandomize`` makes every run draw
the same examples, so CI is repeatable; the example counts keep it well under a minute.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynaguard.sources.iac.files import IacLimits
from dynaguard.sources.iac.load import load_units
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.iac.units import UnitResult, document
from tests.iac.conftest import FIXTURES
from tests.iac.fuzz import as_json, as_yaml, edits, mutate, plans, templates, terraform_files

MAX_BYTES = IacLimits().max_file_bytes


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _clean(problems: Iterable[InputProblem]) -> None:
    for problem in problems:
        line = problem.describe()
        assert line and all(c.isprintable() for c in line), line
        assert problem.line is None or problem.line >= 1
        assert len(line) <= 600


def _load(name: str, text: str | bytes) -> UnitResult:
    with tempfile.TemporaryDirectory(prefix="dynaguard-fuzz-") as scratch:
        path = Path(scratch) / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        result = document(path, True, MAX_BYTES)
    assert isinstance(result, UnitResult)
    pickle.loads(pickle.dumps(result))  # it crosses the process boundary
    _clean(result.problems)
    return result


@fuzz(60)
@given(templates(), st.booleans())
def test_cloudformation_yaml(template: dict[str, object], short_tags: bool) -> None:
    _load("t.yaml", as_yaml(template, short_tags))


@fuzz(40)
@given(templates())
def test_cloudformation_json_and_cdk(template: dict[str, object]) -> None:
    _load("stack.template.json", as_json(template))


@fuzz(60)
@given(plans())
def test_plan_json(plan: dict[str, object]) -> None:
    _load("plan.json", as_json(plan))


FIXTURE_FILES = [
    FIXTURES / "cloudformation" / "pass.yaml",
    FIXTURES / "cloudformation" / "unknown.yaml",
    FIXTURES / "cloudformation" / "foreach.yaml",
    FIXTURES / "plan" / "pass.json",
    FIXTURES / "plan" / "unknown.json",
    *sorted((FIXTURES / "cloudformation" / "cdk.out").glob("*.template.json")),
]


@fuzz(120)
@given(st.sampled_from(FIXTURE_FILES), edits)
def test_mutated_fixtures(path: Path, changes: list[tuple[int, int, bytes]]) -> None:
    _load(path.name, mutate(path.read_bytes(), changes))


@fuzz(8)
@given(st.lists(terraform_files(), min_size=4, max_size=4), st.lists(terraform_files(), max_size=2))
def test_terraform_through_the_workers(roots: list[str], modules: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="dynaguard-fuzz-") as scratch:
        base = Path(scratch)
        for i, text in enumerate(roots):
            (base / f"m{i}").mkdir()
            (base / f"m{i}" / "main.tf").write_text(text, encoding="utf-8")
            if modules:
                (base / f"m{i}" / "mod").mkdir()
                (base / f"m{i}" / "mod" / "main.tf").write_text(modules[0], encoding="utf-8")
        units, problems, _ = load_units([base], limits=IacLimits(timeout_s=60, memory_mb=400))
        _clean(problems)
        for i in range(len(roots)):  # every module is judged or named in a problem
            shown = display_path(base / f"m{i}")
            assert any(u.unit == shown for u in units) or any(
                p.file.startswith(shown) for p in problems
            ), shown
