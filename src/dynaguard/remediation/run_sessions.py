"""The credentials to act in a journaled run's account: for ``undo`` and for reading back the
changes a killed run left pending (``runs``, ``undo``).

A run's journal records the account it changed and the role that reached it (``harden
--accounts``, ``--role-arn``). A run of the caller's own account is acted on with the caller's
credentials; any other account through a role assumed from the caller: ``--role-name`` when
given (``arn:<partition>:iam::<account>:role/NAME``), else the role the journal records, with
the external id given on the command line (it is never journaled).
"""

from __future__ import annotations

import threading

from dynaguard.errors import UsageError
from dynaguard.remediation.journal import RunRecord
from dynaguard.sources.aws.member import MemberSession
from dynaguard.sources.aws.org import role_arn
from dynaguard.sources.aws.session import AwsSession


class RunSessions:
    """One session per account, opened on first use and shared by that account's runs."""

    def __init__(self, base: AwsSession, role_name: str | None = None) -> None:
        self.base = base
        self.role_name = role_name
        self._caller: str | None = None
        self._sessions: dict[str, AwsSession] = {}
        self._lock = threading.Lock()

    def caller(self) -> str:
        """The caller's account (STS GetCallerIdentity, once; AuditError if it cannot be read)."""
        if self._caller is None:
            self._caller = self.base.account_id()
        return self._caller

    def account_of(self, record: RunRecord) -> str:
        """The account ``record`` changed (journals without one: the caller's)."""
        return record.account_id or self.caller()

    def role_of(self, record: RunRecord) -> str | None:
        """The role to assume for ``record``'s account, None for the caller's own."""
        account = self.account_of(record)
        if account == self.caller():
            return None
        if self.role_name:
            return role_arn(self.base.partition(self.base.home_region), account, self.role_name)
        if record.role_arn:
            return record.role_arn
        raise UsageError(
            f"run {record.run_id} changed account {account}, not the caller's "
            f"({self.caller()}): give --role-name (the role to assume there) or that "
            "account's credentials"
        )

    def session(self, record: RunRecord) -> AwsSession:
        """The session acting in ``record``'s account. Raises AuditError when the role
        cannot be assumed, UsageError when no role is known."""
        account = self.account_of(record)
        role = self.role_of(record)
        if role is None:
            return self.base
        with self._lock:
            found = self._sessions.get(account)
        if found is not None:
            return found
        session = MemberSession(self.base, account, role)
        with self._lock:
            return self._sessions.setdefault(account, session)
