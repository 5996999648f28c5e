"""Guarded AWS reads for one (account, region): the only place collectors touch boto3.

``call`` and ``pages`` go through the (account, region, service) circuit breaker and turn every
botocore failure into a ``ReadError`` naming the IAM action, the AWS error code and message.
``fact`` runs a read and returns ``Known(value)`` or the ``Unknown`` it failed with, so a
collector never has a path where a failure becomes a value or disappears. ``read`` and
``read_pages`` hand the body over as a typed :class:`~dynaguard.sources.aws.shape.Body`: a 200
response that lacks a field or has it with the wrong type (or that botocore itself cannot
parse) is a ``MalformedResponse``, one more ReadError, so UNKNOWN at the same boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore import xform_name

from dynaguard.logs import get_logger
from dynaguard.model import Fact, Known, Origin, SourceKind
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.failures import ReadError, read_error
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.shape import PARSE_FAILURES, Body, bounded, unparsable

T = TypeVar("T")

log = get_logger("aws.reader")


@dataclass(frozen=True, slots=True)
class RegionReader:
    """Reads in one region of one account, through the shared clients and breakers."""

    session: AwsSession
    breakers: BreakerBoard
    account_id: str
    region: str

    def in_region(self, region: str) -> RegionReader:
        """The same account's reader for another region (a global-table replica's)."""
        return RegionReader(self.session, self.breakers, self.account_id, region)

    def origin(self, service: str, operation: str) -> Origin:
        return Origin(region=self.region, api=f"{service}:{operation}", source=SourceKind.AWS)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call (``operation`` as AWS names it, e.g. ``DescribeTable``)."""
        method = getattr(self.session.client(service, self.region), xform_name(operation))
        with self._guard(service, operation):
            response: dict[str, Any] = method(**params)
            return response

    def pages(self, service: str, operation: str, **params: Any) -> list[dict[str, Any]]:
        """Every page of a paginated call, read through botocore's paginator.

        A failure on any page fails the whole read: a partial list would look complete.
        """
        client = self.session.client(service, self.region)
        paginator = client.get_paginator(xform_name(operation))
        with self._guard(service, operation):
            pages: list[dict[str, Any]] = bounded(
                paginator.paginate(**params), f"{service}:{operation}", self.region
            )
            return pages

    def read(self, service: str, operation: str, **params: Any) -> Body:
        """``call``, its body typed."""
        return self.body(self.call(service, operation, **params), service, operation)

    def read_pages(self, service: str, operation: str, **params: Any) -> list[Body]:
        """``pages``, each typed."""
        return [self.body(p, service, operation) for p in self.pages(service, operation, **params)]

    def body(self, data: Any, service: str, operation: str, path: str = "") -> Body:
        """``data`` (a response of ``operation``, or part of one at ``path``) as a Body."""
        return Body.of(data, f"{service}:{operation}", self.region, path)

    def fact(self, read: Callable[[], T], service: str, operation: str) -> Fact[T]:
        """``Known(read())`` with this region and action as origin, or the failure's Unknown."""
        try:
            return Known(read(), self.origin(service, operation))
        except ReadError as err:
            return err.unknown()

    def _guard(self, service: str, operation: str) -> _Guard:
        return _Guard(self, service, operation)


class _Guard:
    """Context manager: breaker check before, breaker bookkeeping and classification after."""

    def __init__(self, reader: RegionReader, service: str, operation: str) -> None:
        self.breaker = reader.breakers.get(reader.account_id, reader.region, service)
        self.region = reader.region
        self.operation = operation
        self.action = f"{service}:{operation}"

    def __enter__(self) -> None:
        self.breaker.check(self.operation)

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self.breaker.record_success(self.operation)
            return
        if not isinstance(exc, Exception):
            return
        error = read_error(exc, self.action, self.region)
        if error is None and isinstance(exc, PARSE_FAILURES):
            error = unparsable(self.action, self.region, exc)
        if error is None:
            return  # not an AWS failure: a bug, let it propagate as it is
        self.breaker.record_failure(self.operation, error)
        log.debug("%s in %s failed: %s", self.action, self.region, error.error)
        raise error from None
