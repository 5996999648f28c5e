"""What a live scan reads: regions, table selection, credentials, endpoint and retry behaviour."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dynaguard.errors import UsageError

RETRY_MODES = ("standard", "adaptive")

# Commercial, China, GovCloud, ISO and the European sovereign cloud all follow this shape.
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True, slots=True)
class AwsOptions:
    """Options of one live scan.

    ``regions`` empty and ``all_regions`` False means the session's configured region.
    ``prefix``, ``match`` (a regular expression searched in the name; anchor it with ``^...$``
    for a whole-name match) and ``tables`` (explicit names) narrow the tables; all given filters
    must match. ``max_attempts`` is the total number of attempts per request, the first included
    (botocore's ``total_max_attempts``). ``retry_mode`` is a botocore retry mode; both are
    set explicitly, so AWS_RETRY_MODE / AWS_MAX_ATTEMPTS do not change a scan:
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    ``role_name`` is the role assumed in every other account of a multi-account scan (with
    ``external_id``); ``rate_limit`` bounds requests per second per (account, region).
    """

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    prefix: str | None = None
    match: str | None = None
    tables: tuple[str, ...] = ()
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
        bad = [r for r in self.regions if not _REGION_NAME.match(r)]
        if bad:
            raise UsageError(f"not an AWS region name: {', '.join(bad)}")
        if self.external_id and not (self.role_arn or self.role_name):
            raise UsageError(
                "an external id is only used with a role to assume (--role-arn or --role-name)"
            )
        if self.rate_limit < 0:
            raise UsageError(f"rate limit must be 0 (none) or positive, not {self.rate_limit}")
        self.name_pattern()  # validate the regular expression early

    def name_pattern(self) -> re.Pattern[str] | None:
        """The compiled ``match`` expression, or None. A bad expression is a usage error."""
        if self.match is None:
            return None
        try:
            return re.compile(self.match)
        except re.error as exc:
            raise UsageError(f"invalid table name expression {self.match!r}: {exc}") from None

    def selects(self, table_name: str) -> bool:
        """Whether the table filters (prefix, expression, explicit names) select this name."""
        if self.prefix and not table_name.startswith(self.prefix):
            return False
        pattern = self.name_pattern()
        if pattern is not None and not pattern.search(table_name):
            return False
        return not self.tables or table_name in self.tables
