"""dynaguard: audit, harden and provision Amazon DynamoDB against a security baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dynaguard.engine import scan

__all__ = ["__version__", "scan"]


def __getattr__(name: str) -> Any:
    """``dynaguard.scan`` is imported on first use: ``dynaguard --help`` and every command
    import this package, and the engine (config, controls, evaluator) is not light."""
    if name == "scan":
        from dynaguard.engine import scan

        return scan
    raise AttributeError(f"module 'dynaguard' has no attribute {name!r}")
