"""What a live scan reads: regions, table selection, credentials, endpoint and retry behaviour."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dynaguard.errors import UsageError
from dynaguard.logs import register_secret
from dynaguard.model.aws_rules import REGION_NAME
from dynaguard.sanitize import short_repr
from dynaguard.selection import Selection

RETRY_MODES = ("standard", "adaptive")

# Commercial, China, GovCloud, ISO and the European sovereign cloud all follow this shape.


@dataclass(frozen=True, slots=True)
class AwsOptions:
    """Options of one live scan.

    ``regions`` empty and ``all_regions`` False means the session's configured region.
    ``selection`` says which resources the run is about (tables by name, prefix or expression,
    DAX clusters, other kinds; see selection.py). ``max_attempts`` is the total number of
    attempts per request, the first included (botocore's ``total_max_attempts``).
    ``retry_mode`` is a botocore retry mode; both are set explicitly, so AWS_RETRY_MODE /
    AWS_MAX_ATTEMPTS do not change a scan:
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    ``role_name`` is the role assumed in every other account of a multi-account scan (with
    ``external_id``); ``rate_limit`` bounds requests per second per (account, region).
    """

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    selection: Selection = field(default_factory=Selection)
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    role_name: str | None = None  # the role assumed in the other accounts of a fan-out
    endpoint_url: str | None = None
    concurrency: int = 32
    retry_mode: str = "standard"
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    rate_limit: float = 0.0  # requests per second per (account, region); 0: unbounded

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise UsageError(f"concurrency must be at least 1, not {self.concurrency}")
        if self.retry_mode not in RETRY_MODES:
            raise UsageError(
                f"retry mode must be one of {', '.join(RETRY_MODES)}, not {self.retry_mode!r}"
            )
        if self.max_attempts < 1:
            raise UsageError(f"max attempts must be at least 1, not {self.max_attempts}")
        bad = [r for r in self.regions if not REGION_NAME.match(r)]
        if bad:
            raise UsageError(f"not an AWS region name: {', '.join(bad)}")
        if self.endpoint_url is not None:
            check_endpoint("--endpoint-url", self.endpoint_url)
        else:
            check_endpoint_environment(os.environ)
        register_secret(self.external_id)  # never in a log line, at any verbosity
        if self.external_id and not (self.role_arn or self.role_name):
            raise UsageError(
                "an external id is only used with a role to assume (--role-arn or --role-name)"
            )
        if self.rate_limit < 0:
            raise UsageError(f"rate limit must be 0 (none) or positive, not {self.rate_limit}")


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be an AWS endpoint, or None. botocore's own host rules (it raises a
    bare ValueError at client creation otherwise), plus an http(s) scheme and a valid port."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        host_port = re.fullmatch(r"[\w-]+(\.[\w-]+)*:\d+|[\w-]+(\.[\w-]+)+", url)
        hint = f" (did you mean {short_repr('http://' + url)}?)" if host_port else ""
        return f"needs http:// or https://{hint}"
    if not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)):
        return "not a valid host name or address"
    if port == 0:
        return "port 0 is not a port"
    return None


def check_endpoint(where: str, url: str) -> None:
    problem = endpoint_problem(url)
    if problem is not None:
        raise UsageError(f"{where}: {short_repr(url)} is not an endpoint URL: {problem}")


def check_endpoint_environment(environ: Mapping[str, str]) -> None:
    """``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``, which botocore honours when no
    endpoint is given, checked up front: a bad one is a usage error, not a traceback.
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
    """
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return
    for name in sorted(environ):
        named = name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_")
        if named and environ[name]:
            check_endpoint(name, environ[name])
