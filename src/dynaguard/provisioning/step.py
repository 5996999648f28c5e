"""One post-create API call of a provisioning plan (PITR, TTL, auto scaling, a replica, an
alarm...): what ``requests`` produces, ``plan`` shows and ``apply`` makes and verifies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """One post-create API call, verified by re-reading after it is made."""

    kind: str  # pitr | ttl | scaling_target | scaling_policy | resource_policy | replica | ...
    service: str  # boto3 service name
    operation: str  # the API operation, as IAM names it
    region: str
    params: Mapping[str, Any]
    summary: str

    @property
    def action(self) -> str:
        return f"{self.service}:{self.operation}"  # boto3 names match the IAM prefixes here
