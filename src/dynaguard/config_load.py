"""Read the YAML configuration into a :class:`~dynaguard.config.Config`.

The schema (``config_model``, pydantic) is imported only when a file is read, so start-up
stays fast. An unknown key, a wrong type or a value out of bounds is a ConfigError naming the
file, the line and the key, every problem at once, so a typo never silently weakens the
baseline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dynaguard.config import Config
from dynaguard.errors import ConfigError

MAX_PROBLEMS_SHOWN = 50


def load_config(path: str | Path | None) -> Config:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return Config()
    from dynaguard.yaml_lines import InputError, read_document

    try:
        doc = read_document(path, "config")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    return _validated(doc)


def parse_config(data: Any, path: str = "<config>") -> Config:
    """Validate already-parsed data (a mapping, as from ``yaml.safe_load``)."""
    from dynaguard.yaml_lines import Document

    return _validated(Document(data, path))


def _validated(doc: Any) -> Config:
    from dynaguard.config_model import to_config

    config, problems = to_config(doc)
    problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    if problems:
        shown = [p.describe(doc.source) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        if len(shown) == 1:
            raise ConfigError(shown[0])
        lines = "\n  ".join(shown)
        raise ConfigError(f"invalid config ({len(problems)} problems):\n  {lines}")
    assert config is not None
    return config
