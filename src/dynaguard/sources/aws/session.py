"""Credentials and clients for one account: one shared client per (region, service).

Credentials come from the standard chain (environment, shared config and ``profile``, SSO,
container and instance roles); with ``role_arn`` that identity first assumes the role through
STS, with credentials that refresh themselves before they expire, so a long scan does not die
after an hour. ``endpoint_url`` goes to every client; without it botocore itself honours
``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``:
https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html

boto3 clients are thread-safe, sessions are not: clients are created once, under a lock, and
shared by every worker thread.
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html#multithreading-or-multiprocessing-with-clients
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound, UnknownRegionError

from dynaguard import __version__
from dynaguard.errors import AuditError, UsageError
from dynaguard.logs import get_logger
from dynaguard.sanitize import short_repr
from dynaguard.sources.aws.client_classes import share_client_classes
from dynaguard.sources.aws.failures import read_error
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.pacing import TokenBucket
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.shape import MalformedResponse, call_body

log = get_logger("aws.session")

# STS and IAM are global; any region of the partition answers. This one is the fallback.
FALLBACK_REGION = "us-east-1"


def role_session_name(run_id: str) -> str:
    """``dynaguard-<run id>``, restricted to what STS accepts (``[\\w+=,.@-]``, 64 chars)."""
    return re.sub(r"[^\w+=,.@-]", "-", f"dynaguard-{run_id}")[:64]


class AwsSession:
    """One account's credentials, identity and shared clients."""

    def __init__(
        self, options: AwsOptions, run_id: str, recorder: CallRecorder | None = None
    ) -> None:
        self.options = options
        self.run_id = run_id
        self.recorder = recorder
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._account_id: str | None = None
        self._partitions: dict[str, str | None] = {}
        self._pacers: dict[str, TokenBucket] = {}
        self._config = Config(
            max_pool_connections=max(10, options.concurrency),
            retries={"mode": options.retry_mode, "total_max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            user_agent_extra=f"dynaguard/{__version__}",
        )
        self._boto = _base_session(options)
        if options.role_arn:
            self._boto = self._assume_role(options.role_arn)

    def with_options(self, options: AwsOptions) -> AwsSession:
        """A view of this session with other scan options (regions, table filters), sharing its
        credentials, identity, clients and recorder; the endpoint and tuning stay this
        session's. Used by harden to re-read one resource without new clients. The view is of
        this session's own class: a member account's view keeps the member's credentials."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.options = options
        return view

    @property
    def home_region(self) -> str:
        """Where global services (STS, IAM, the region list) are called: the first region to
        scan, else the configured region, else us-east-1. It decides the partition."""
        if self.options.regions:
            return self.options.regions[0]
        return self.default_region or FALLBACK_REGION

    @property
    def default_region(self) -> str | None:
        """The region configured for the session (``AWS_REGION``, the profile), if any."""
        region = self._boto.region_name
        return str(region) if region else None

    def client(self, service: str, region: str) -> Any:
        """The shared client of ``service`` in ``region``, created on first use."""
        key = (region, service)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                try:
                    client = self._boto.client(
                        service,
                        region_name=region,
                        endpoint_url=self.options.endpoint_url,
                        config=self._config,
                    )
                except ValueError as exc:  # "Invalid endpoint": e.g. a profile's endpoint_url
                    raise UsageError(f"{service} client: {short_repr(str(exc), 200)}") from None
                if self.recorder is not None:
                    self.recorder.attach(client)
                self.attach_pacing(client, region)
                self._clients[key] = client
            return client

    def account_id(self) -> str:
        """The account the credentials belong to (STS GetCallerIdentity, once per session)."""
        with self._lock:
            if self._account_id is not None:
                return self._account_id
        action, region = "sts:GetCallerIdentity", self.home_region
        try:
            account = call_body(self.client("sts", region), action, region).text("Account")
        except (ClientError, BotoCoreError, MalformedResponse) as exc:
            error = read_error(exc, action, region)
            raise AuditError(f"cannot establish the AWS identity: {error}") from None
        with self._lock:
            self._account_id = account
        return account

    def partition(self, region: str) -> str:
        """The partition of ``region``: aws, aws-cn, aws-us-gov, ... (``aws`` if unknown)."""
        return self.known_partition(region) or "aws"

    def known_partition(self, region: str) -> str | None:
        """The partition of ``region`` per botocore's endpoint data; None for a region newer
        than that data."""
        with self._lock:
            if region not in self._partitions:
                try:
                    partition: str | None = str(self._boto.get_partition_for_region(region))
                except UnknownRegionError:
                    partition = None
                self._partitions[region] = partition
            return self._partitions[region]

    def pace(self, region: str) -> None:
        """Wait, if need be, so this account's requests in ``region`` stay within
        ``options.rate_limit`` per second (no wait when the limit is 0)."""
        rate = self.options.rate_limit
        if rate <= 0:
            return
        with self._lock:
            bucket = self._pacers.get(region)
            if bucket is None:
                bucket = self._pacers[region] = TokenBucket(rate)
        bucket.acquire()

    def attach_pacing(self, client: Any, region: str) -> None:
        """Pace every request of ``client`` (each page of a paginated read is one)."""
        if self.options.rate_limit > 0:
            client.meta.events.register("before-call.*.*", lambda **_: self.pace(region))

    def service_regions(self, service: str, region: str) -> frozenset[str]:
        """Regions of ``region``'s partition where botocore's endpoint data lists ``service``."""
        partition = self.partition(region)
        with self._lock:
            return frozenset(self._boto.get_available_regions(service, partition))

    def _assume_role(self, role_arn: str) -> boto3.Session:
        sts = self.client("sts", self.home_region)

        def fetch() -> dict[str, str]:
            creds = assume_role(sts, role_arn, self.options, self.run_id, self.home_region)
            return {
                "access_key": creds.access_key,
                "secret_key": creds.secret_key,
                "token": creds.token,
                "expiry_time": creds.expires.isoformat(),
            }

        try:
            first = fetch()
        except (ClientError, BotoCoreError, MalformedResponse) as exc:
            error = read_error(exc, "sts:AssumeRole", self.home_region)
            raise AuditError(f"cannot assume role {role_arn}: {error}") from None
        log.info("assumed role %s as session %s", role_arn, role_session_name(self.run_id))
        credentials = RefreshableCredentials.create_from_metadata(
            metadata=first, refresh_using=fetch, method=_AssumedRole.METHOD
        )
        core = botocore.session.Session(profile=self.options.profile)
        core.get_component("credential_provider").insert_before("env", _AssumedRole(credentials))
        with self._lock:
            self._clients.clear()  # the next clients use the role
        return share_client_classes(boto3.Session(botocore_session=core))


@dataclass(frozen=True, slots=True)
class RoleCredentials:
    """Temporary credentials of an assumed role."""

    access_key: str
    secret_key: str
    token: str
    expires: dt.datetime

    @property
    def expires_at(self) -> float:
        """When they expire, in epoch seconds."""
        return self.expires.timestamp()


def assume_role(
    sts: Any, role_arn: str, options: AwsOptions, run_id: str, region: str
) -> RoleCredentials:
    """``sts:AssumeRole`` of ``role_arn`` under this run's session name (and the external id
    when one is given). A malformed answer (a key missing, null, of another type) is a
    MalformedResponse naming the key, never a KeyError from deep inside a refresh.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html"""
    params = {"RoleArn": role_arn, "RoleSessionName": role_session_name(run_id)}
    if options.external_id:
        params["ExternalId"] = options.external_id
    creds = call_body(sts, "sts:AssumeRole", region, **params).child("Credentials")
    return RoleCredentials(
        creds.text("AccessKeyId"),
        creds.text("SecretAccessKey"),
        creds.text("SessionToken"),
        creds.time("Expiration"),
    )


class _AssumedRole(CredentialProvider):  # type: ignore[misc]
    """Puts the assumed role's refreshable credentials first in botocore's chain."""

    METHOD = "dynaguard-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def _base_session(options: AwsOptions) -> boto3.Session:
    try:
        return share_client_classes(boto3.Session(profile_name=options.profile))
    except ProfileNotFound:
        raise UsageError(f"AWS profile {options.profile!r} not found") from None
