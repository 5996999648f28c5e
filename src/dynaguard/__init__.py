"""dynaguard: audit, harden and provision Amazon DynamoDB against a security baseline."""

__version__ = "0.1.0"

from dynaguard.engine import scan

__all__ = ["__version__", "scan"]
