"""dynaguard: audit, harden and provision Amazon DynamoDB against a security baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dynaguard.engine import scan
    from dynaguard.provisioning.provision import provision
    from dynaguard.remediation.harden import harden

__all__ = ["__version__", "harden", "provision", "scan"]


def __getattr__(name: str) -> Any:
    """``dynaguard.scan``, ``harden`` and ``provision`` are imported on first use:
    ``dynaguard --help`` and every command import this package, and the engine (config,
    controls, evaluator) is not light."""
    if name == "scan":
        from dynaguard.engine import scan

        return scan
    if name == "harden":
        from dynaguard.remediation.harden import harden

        return harden
    if name == "provision":
        from dynaguard.provisioning.provision import provision

        return provision
    raise AttributeError(f"module 'dynaguard' has no attribute {name!r}")
