"""Three-valued facts: a value we know, or the honest statement that we do not.

Every field of the model that a source might fail to read (an AWS call denied, a Terraform
variable without a value) is a ``Fact``: either ``Known(value)`` or ``Unknown(reason)``. Controls
turn ``Unknown`` into an UNKNOWN verdict, never into PASS or FAIL. Both carry an ``Origin`` so a
finding can point at its evidence (file:line for code, region + API call for live reads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeAlias, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
U = TypeVar("U")


class SourceKind(StrEnum):
    """Which kind of source a resource came from: it decides how a fix is written (an AWS CLI
    command for live resources, the attribute to write in Terraform or CloudFormation)."""

    AWS = "aws"
    TERRAFORM = "terraform"
    PLAN = "plan"  # Terraform plan JSON: fixed in the Terraform that produced it
    CLOUDFORMATION = "cloudformation"
    SPEC = "spec"  # a provisioning schema

    @property
    def is_code(self) -> bool:
        return self in (SourceKind.TERRAFORM, SourceKind.PLAN, SourceKind.CLOUDFORMATION)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a fact came from: a file and line for code, a region and API call for AWS, and
    the kind of source (None: a live read)."""

    file: str | None = None
    line: int | None = None
    region: str | None = None
    api: str | None = None
    source: SourceKind | None = None

    def describe(self) -> str:
        if self.file is not None:
            return f"{self.file}:{self.line}" if self.line else self.file
        parts = [p for p in (self.region, self.api) if p]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Known(Generic[T_co]):
    """A value that was read or resolved."""

    value: T_co
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value we could not establish, and why (the AWS error, or the unresolved expression)."""

    reason: str
    origin: Origin | None = None


Fact: TypeAlias = Known[T] | Unknown


def known(value: T, origin: Origin | None = None) -> Known[T]:
    return Known(value, origin)


def fmap(fact: Fact[T], fn: Callable[[T], U]) -> Fact[U]:
    """Apply ``fn`` to a known value; pass an Unknown through unchanged."""
    if isinstance(fact, Unknown):
        return fact
    return Known(fn(fact.value), fact.origin)


NOT_COLLECTED = Unknown("not collected (no selected control needed it)")
