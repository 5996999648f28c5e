"""Errors that the CLI turns into one clear line and an exit code."""

from __future__ import annotations

from dynaguard.exit_codes import EXIT_INCOMPLETE, EXIT_USAGE


class DynaguardError(Exception):
    """A problem the user can fix; ``str(err)`` is the one-line message."""

    exit_code = EXIT_USAGE


class UsageError(DynaguardError):
    exit_code = EXIT_USAGE


class ConfigError(DynaguardError):
    exit_code = EXIT_USAGE


class AuditError(DynaguardError):
    """The audit could not start at all (no credentials, unreachable STS)."""

    exit_code = EXIT_INCOMPLETE
