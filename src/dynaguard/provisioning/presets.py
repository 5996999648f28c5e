"""Schemas shipped with dynaguard for the tables of an access-approval service.

Each preset is a YAML file in ``dynaguard/provisioning/presets/`` with its access patterns
documented in comments; it has no table name (``--name`` gives it) and no region.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.provisioning.schema_file import parse_schema_text

PRESETS = ("approvals", "breakglass", "sessions")


def preset_text(name: str) -> str:
    """The preset's YAML source, comments included."""
    if name not in PRESETS:
        raise UsageError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    package = resources.files("dynaguard.provisioning") / "presets" / f"{name}.yaml"
    return package.read_text(encoding="utf-8")


def load_preset(name: str) -> Any:
    return parse_schema_text(preset_text(name), f"preset:{name}")
