"""What a live scan reads: regions, table selection, credentials, endpoint and retry behaviour."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dynaguard.errors import UsageError
from dynaguard.model.selection import Selection

RETRY_MODES = ("standard", "adaptive")

# Commercial, China, GovCloud, ISO and the European sovereign cloud all follow this shape.
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True, slots=True)
class AwsOptions:
    """Options of one live scan.

    ``regions`` empty and ``all_regions`` False means the session's configured region.
    ``selection`` says which resources the run is about (tables by name, prefix or expression,
    DAX clusters, other kinds; see model/selection.py). ``max_attempts`` is the total number of
    attempts per request, the first included (botocore's ``total_max_attempts``).
    ``retry_mode`` is a botocore retry mode; both are set explicitly, so AWS_RETRY_MODE /
    AWS_MAX_ATTEMPTS do not change a scan:
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    """

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    selection: Selection = field(default_factory=Selection)
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    endpoint_url: str | None = None
    concurrency: int = 32
    retry_mode: str = "standard"
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

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
        if self.external_id and not self.role_arn:
            raise UsageError("an external id is only used with a role to assume (--role-arn)")
