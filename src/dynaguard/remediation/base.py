"""What a remediation is: per control, ``plan`` (live state -> Change or None) and ``apply``.

A Change (``change.py``) is data; ``apply`` runs its steps; ``verify`` re-reads the state. Every
remediation declares the IAM permissions its calls need and the resource states it may be
applied in; a meta-test checks both, and the shipped harden policy covers the permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dynaguard.config import Baseline, HardenSettings
from dynaguard.controls.base import Context
from dynaguard.model import AccountScope, RegionScope, Status

# Change, ApiStep, ResourceRef, Manual and Skip moved to change.py: importable from here only
# until the branches written against the old path have merged (then these lines go).
from dynaguard.remediation.change import ApiStep as ApiStep  # noqa: PLC0414
from dynaguard.remediation.change import Change as Change  # noqa: PLC0414
from dynaguard.remediation.change import Manual as Manual  # noqa: PLC0414
from dynaguard.remediation.change import ResourceRef as ResourceRef  # noqa: PLC0414
from dynaguard.remediation.change import Skip as Skip  # noqa: PLC0414
from dynaguard.report import Finding

if TYPE_CHECKING:
    from dynaguard.remediation.steps import StepRunner
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession


PlanResult = Change | Manual | Skip | None


@dataclass(frozen=True, slots=True)
class LiveState:
    """What the planner read for one resource: its scope and the selected controls' findings."""

    scope: RegionScope
    account: AccountScope | None
    baseline: Baseline
    findings: tuple[Finding, ...]  # this resource's findings (its replicas' included)
    zones: tuple[str, ...] = ()  # the region's Availability Zones, when a fix needs them

    def context(self) -> Context:
        return Context(self.scope, self.account, self.baseline)

    def failing(self, control_id: str) -> list[Finding]:
        return [f for f in self.findings if f.control_id == control_id and f.status is Status.FAIL]

    def undecided(self, control_id: str) -> list[Finding]:
        return [
            f for f in self.findings if f.control_id == control_id and f.status is Status.UNKNOWN
        ]


@dataclass(frozen=True, slots=True)
class Options:
    """Harden options resolved from the config and the command line."""

    settings: HardenSettings = field(default_factory=HardenSettings)
    create_key: bool = False
    create_key_alias: str = "alias/dynaguard-cmk"
    create_backup_plan: bool = False


PlanFn = Callable[[Any, LiveState, Options], PlanResult]
ApplyFn = Callable[[Change, "StepRunner"], Mapping[str, Any]]
VerifyFn = Callable[[Change, "StepRunner"], "str | None"]
# Checks made once before planning (a configured resource exists); raises UsageError.
PreflightFn = Callable[["AwsSession", "AwsOptions", Options], None]


@dataclass(frozen=True, slots=True)
class Remediation:
    """The fix of one control. ``plan`` returns None when the resource is compliant."""

    control_id: str
    subject: str  # table | dax_cluster | vpc | kms_key
    summary: str
    permissions: tuple[str, ...]  # IAM actions the apply (and its waits) need
    valid_states: tuple[str, ...]  # resource states the change may be applied in
    plan: PlanFn
    apply: ApplyFn | None = None  # None: run the change's steps (steps.run_change)
    verify: VerifyFn | None = None  # None: re-scan the resource with the control
    opt_in: bool = False  # only when named by --only or harden.opt_in
    manual_only: bool = False  # never changes anything: prints the steps
    preflight: PreflightFn | None = None  # run before planning when this fix is selected
