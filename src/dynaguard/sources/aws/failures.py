"""A failed AWS read, classified, with the AWS error code and message kept for the reason.

Every read that fails becomes a ``ReadError``; collectors turn it into an ``Unknown`` carrying
``reason`` and an ``Origin`` (region + IAM action), so a finding says exactly what was denied.
The classification drives the circuit breaker: only failures that say "this endpoint is dead"
or "these credentials are refused" trip it. Error codes:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
"""

from __future__ import annotations

import re
from enum import Enum

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from dynaguard.model import Origin, Unknown


class FailureKind(Enum):
    UNREACHABLE = "unreachable"  # connection error, timeout, 5xx after retries: the endpoint
    REJECTED = "rejected"  # credentials or region refused: every call to the service fails
    DENIED = "denied"  # this action is not allowed (IAM is per action, maybe per resource)
    THROTTLED = "throttled"  # still throttled after botocore's retries
    OTHER = "other"  # the service answered: not found, validation, ...


# Refusals of the credentials or of the region as a whole, whatever the action.
REJECTED_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
        "AuthFailure",
        "OptInRequired",
        "UnauthorizedClient",
    }
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "Forbidden",
        "403",  # moto's denial for JSON services when it enforces IAM
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestLimitExceededException",
        "SlowDown",
    }
)


MAX_MESSAGE = 300  # an endpoint that is not AWS may answer with a whole HTML page


def one_line(message: str) -> str:
    """The message on one line, cut to MAX_MESSAGE characters."""
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


class ReadError(Exception):
    """One AWS read that failed: which action, where, the AWS error code and message."""

    def __init__(self, action: str, region: str, code: str, message: str, kind: FailureKind):
        message = one_line(message)
        super().__init__(f"{action} failed: {code}: {message}")
        self.action = action
        self.region = region
        self.code = code
        self.message = message
        self.kind = kind

    @property
    def reason(self) -> str:
        return str(self)

    @property
    def error(self) -> str:
        """``code: message``, as the breaker repeats it when it skips later calls."""
        return f"{self.code}: {self.message}"

    def origin(self) -> Origin:
        return Origin(region=self.region, api=self.action)

    def unknown(self) -> Unknown:
        return Unknown(self.reason, self.origin())


class BreakerOpenError(ReadError):
    """The call was not sent: the (account, region, service) circuit is open."""

    def __init__(self, action: str, region: str, what: str, last_error: str):
        super().__init__(action, region, "CircuitOpen", last_error, FailureKind.UNREACHABLE)
        self.args = (f"skipped: {what} in {region} failing: {last_error}",)


def read_error(exc: Exception, action: str, region: str) -> ReadError | None:
    """Classify a botocore failure; None for anything that is not an AWS read failure (a bug)."""
    if isinstance(exc, ReadError):
        return exc
    if isinstance(exc, ClientError):
        return _client_error(exc, action, region)
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        kind = FailureKind.UNREACHABLE
    elif isinstance(exc, NoCredentialsError | PartialCredentialsError | CredentialRetrievalError):
        kind = FailureKind.REJECTED
    elif isinstance(exc, BotoCoreError):
        kind = FailureKind.OTHER
    else:
        return None
    return ReadError(action, region, type(exc).__name__, str(exc), kind)


_MARKUP = re.compile(r"<\s*(!doctype|html|head|body|title|h1|p|div)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def plain_message(message: str, status: int, code: str = "") -> str:
    """The error message, or a one-line summary when the endpoint answered with an HTML page
    (a proxy, a load balancer, an emulator's 500): never the page itself in a reason."""
    message = message.strip()
    if not message:
        return "(no message)"
    if _MARKUP.search(message):
        title = _TITLE.search(message)
        page = f": {' '.join(title.group(1).split())[:120]}" if title else ""
        return (
            f"the endpoint answered with an HTML page, not an AWS error "
            f"(HTTP {status or '?'}{page})"
        )
    return message


def _client_error(exc: ClientError, action: str, region: str) -> ReadError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "Unknown")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    message = plain_message(str(error.get("Message") or ""), status, code)
    if code in REJECTED_CODES:
        kind = FailureKind.REJECTED
    elif code in DENIED_CODES or status == 403:
        kind = FailureKind.DENIED
    elif code in THROTTLING_CODES:
        kind = FailureKind.THROTTLED
    elif status >= 500:
        kind = FailureKind.UNREACHABLE
    else:
        kind = FailureKind.OTHER
    return ReadError(action, region, code, message, kind)
