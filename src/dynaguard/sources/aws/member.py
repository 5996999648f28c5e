"""A session in another account of the organization, through a role assumed from the caller.

The caller's session calls ``sts:AssumeRole`` on ``arn:<partition>:iam::<account>:role/<name>``
(with the external id when one is given) under a session name that says dynaguard and the run
(``dynaguard-<run id>``, visible in the member account's CloudTrail). The member's clients are
made by the caller's boto3 session with the temporary credentials given explicitly: no botocore
session per account (its creation costs more than the account's empty regions' calls). Before
the credentials come within ``REFRESH_MARGIN_S`` of their expiry the role is assumed again and
new clients replace the old ones, so a scan longer than the role's session keeps going.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.errors import AuditError
from dynaguard.logs import get_logger
from dynaguard.sources.aws.failures import ReadError, read_error
from dynaguard.sources.aws.session import (
    AwsSession,
    RoleCredentials,
    assume_role,
    role_session_name,
)

log = get_logger("aws.member")

# botocore refreshes assumed-role credentials 15 minutes before they expire; so do we.
REFRESH_MARGIN_S = 15 * 60


class MemberSession(AwsSession):
    """``parent``'s options, endpoint data and client lock, another account's credentials."""

    def __init__(
        self,
        parent: AwsSession,
        account_id: str,
        role_arn: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # Not AwsSession.__init__: no base session of its own, no GetCallerIdentity (the
        # account is the role's).
        self.options = parent.options
        self.run_id = parent.run_id
        self.recorder = parent.recorder
        self.role_arn = role_arn
        self._parent = parent
        self._boto = parent._boto
        self._config = parent._config
        self._create_lock = parent._lock  # one boto3 session creates every client
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._account_id = account_id
        self._partitions = {}
        self._pacers = {}
        self._clock = clock
        self._credentials: RoleCredentials | None = None
        self.assumed = 0  # how many times the role was assumed (first time + refreshes)
        try:
            self._current_credentials()
        except ReadError as err:
            raise AuditError(f"cannot assume role {role_arn}: {err.error}") from None

    def account_id(self) -> str:
        return str(self._account_id)

    def client(self, service: str, region: str) -> Any:
        """This account's client of ``service`` in ``region``; new clients after a refresh."""
        creds = self._current_credentials()
        key = (region, service)
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                return client
        with self._create_lock:
            client = self._boto.client(
                service,
                region_name=region,
                endpoint_url=self.options.endpoint_url,
                config=self._config,
                aws_access_key_id=creds.access_key,
                aws_secret_access_key=creds.secret_key,
                aws_session_token=creds.token,
            )
        if self.recorder is not None:
            self.recorder.attach(client)
        self.attach_pacing(client, region)
        with self._lock:
            if self._credentials is creds:  # not refreshed meanwhile
                client = self._clients.setdefault(key, client)
        return client

    def _current_credentials(self) -> RoleCredentials:
        """The role's credentials, assumed again when they are about to expire. A failure is a
        ReadError of sts:AssumeRole (the reads that needed them become UNKNOWN)."""
        creds = self._credentials
        if creds is not None and self._clock() < creds.expires_at - REFRESH_MARGIN_S:
            return creds
        with self._refresh_lock:
            creds = self._credentials
            if creds is None or self._clock() >= creds.expires_at - REFRESH_MARGIN_S:
                creds = self._assume()
                with self._lock:
                    self._credentials = creds
                    self._clients.clear()
            return creds

    def _assume(self) -> RoleCredentials:
        region = self._parent.home_region
        sts = self._parent.client("sts", region)
        try:
            creds = assume_role(sts, self.role_arn, self.options, self.run_id, region)
        except (ClientError, BotoCoreError) as exc:
            error = read_error(exc, "sts:AssumeRole", region)
            assert error is not None  # both exception types are AWS failures
            raise error from None
        self.assumed += 1
        log.info(
            "assumed role %s as session %s (%s)",
            self.role_arn,
            role_session_name(self.run_id),
            "refresh" if self.assumed > 1 else "first",
        )
        return creds
