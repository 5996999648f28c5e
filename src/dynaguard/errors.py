"""Errors that the CLI turns into one clear line and an exit code."""

from __future__ import annotations


class DynaguardError(Exception):
    """A problem the user can fix; ``str(err)`` is the one-line message."""

    exit_code = 2


class UsageError(DynaguardError):
    exit_code = 2


class ConfigError(DynaguardError):
    exit_code = 2


class AuditError(DynaguardError):
    """The audit could not start at all (no credentials, unreachable STS)."""

    exit_code = 3
