"""The catalog of remediations. Each module in ``remediation/fixes`` registers its own."""

from __future__ import annotations

import importlib
import pkgutil

from dynaguard.remediation.base import Remediation

_REGISTRY: dict[str, Remediation] = {}
_LOADED = {"all": False}


def register(remediation: Remediation) -> Remediation:
    if remediation.control_id in _REGISTRY:
        raise ValueError(f"remediation for {remediation.control_id} registered twice")
    _REGISTRY[remediation.control_id] = remediation
    return remediation


def _load_all() -> None:
    import dynaguard.remediation.fixes as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"dynaguard.remediation.fixes.{info.name}")


def all_remediations() -> list[Remediation]:
    """Every registered remediation, ordered by control id."""
    if not _LOADED["all"]:
        _load_all()
        _LOADED["all"] = True
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_remediation(control_id: str) -> Remediation | None:
    all_remediations()
    return _REGISTRY.get(control_id)
