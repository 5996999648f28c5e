"""The catalog of controls. Each control module registers itself with ``@control``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping

from dynaguard.controls.base import CheckFn, Control, S
from dynaguard.controls.frameworks import frameworks_of
from dynaguard.controls.subjects import KIND_OF
from dynaguard.model import CONTROL_IDS, FACTS, Severity

_REGISTRY: dict[str, Control] = {}
# Loaded once: importing one control module directly registers only that control.
_LOADED = {"all": False}
# Mappings still written in a control module (the central table is controls/frameworks.py):
# kept so a test can tell when one disagrees with the table.
INLINE_FRAMEWORKS: dict[str, dict[str, str]] = {}


def control(
    *,
    id: str,
    title: str,
    severity: str,
    subject: type[S],
    facts: Iterable[str],
    rationale: str,
    remediation: str,
    frameworks: Mapping[str, str] | None = None,
) -> Callable[[CheckFn[S]], CheckFn[S]]:
    """Register the decorated pure function as control ``id``, judging ``subject`` (Table,
    DaxCluster, Vpc, IamPolicy or KeyUse: the type checker holds the function to it). Framework
    mappings come from :mod:`dynaguard.controls.frameworks`; an inline ``frameworks`` fills only
    what it lacks."""

    def register(fn: CheckFn[S]) -> CheckFn[S]:
        needed = frozenset(facts)
        inline = dict(frameworks or {})
        if inline:
            INLINE_FRAMEWORKS[id] = inline
        unknown_facts = needed - FACTS
        if unknown_facts:
            raise ValueError(f"{id}: undeclared facts {sorted(unknown_facts)}")
        if id not in CONTROL_IDS:
            raise ValueError(f"{id}: not a control id of the vocabulary (model/vocabulary.py)")
        if id in _REGISTRY:
            raise ValueError(f"control {id} registered twice")
        _REGISTRY[id] = Control(
            id=id,
            title=title,
            severity=Severity(severity),
            subject_kind=KIND_OF[subject],
            facts=needed,
            rationale=rationale,
            remediation=remediation,
            check=fn,
            frameworks={**{k: (v,) for k, v in inline.items()}, **frameworks_of(id)},
        )
        return fn

    return register


def _load_all() -> None:
    import dynaguard.controls as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("ddb"):
            importlib.import_module(f"dynaguard.controls.{info.name}")


def all_controls() -> list[Control]:
    """Every registered control, ordered by id."""
    if not _LOADED["all"]:
        _load_all()
        _LOADED["all"] = True
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_control(control_id: str) -> Control:
    all_controls()
    return _REGISTRY[control_id]


def control_ids() -> list[str]:
    return [c.id for c in all_controls()]
