"""dynaguard's exit codes, defined once; the README's table lists the same.

scan, iac, demo: 0 nothing failing at or above ``--fail-on``; 1 failing findings; 2 usage or
input error; 3 the audit is incomplete (UNKNOWN verdicts from errors) and nothing is failing.
harden, undo, provision: 0 success (or nothing to do); 1 some change failed; 2 cancelled at the
prompt, or a usage error: nothing changed. undo, runs: 3 a damaged journal line was skipped or an
interrupted change could not be read back (and nothing failed).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # scan / iac: failing findings
EXIT_USAGE = 2  # usage or input error (every command)
EXIT_INCOMPLETE = 3  # scan / iac: UNKNOWN verdicts, nothing failing
EXIT_FAILED = 1  # harden / undo / provision: some change failed
EXIT_CANCELLED = 2  # harden / provision: cancelled at the prompt, nothing changed
