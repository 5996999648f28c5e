"""What a remediation is: per control, ``plan`` (live state -> Change or None) and ``apply``.

A Change is data: the API calls that fix one control on one resource (``steps``), the calls
that would restore it (``undo_steps``, computed from the live state before the change), and the
previous value for the journal. ``apply`` runs the steps; ``verify`` re-reads the state. Every
remediation declares the IAM permissions its calls need and the resource states it may be
applied in; a meta-test checks both, and the shipped harden policy covers the permissions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dynaguard.config import Baseline, HardenSettings
from dynaguard.controls.base import Context
from dynaguard.model import AccountScope, RegionScope, Status
from dynaguard.report import Finding

if TYPE_CHECKING:
    from dynaguard.remediation.steps import StepRunner
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """A resource harden changes: a table (with its replicas), DAX cluster, VPC or KMS key."""

    kind: str  # table | dax_cluster | vpc | kms_key | backup_plan
    name: str
    region: str
    account_id: str

    @property
    def lane(self) -> str:
        """Changes in one lane run one after another: a table and its replicas share one."""
        return f"{self.account_id}/{self.kind}/{self.name}"

    def label(self) -> str:
        return f"{self.kind} {self.name} ({self.region})"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name": self.name,
            "region": self.region,
            "account_id": self.account_id,
        }

    @staticmethod
    def from_dict(data: Mapping[str, str]) -> ResourceRef:
        return ResourceRef(data["kind"], data["name"], data["region"], data["account_id"])


@dataclass(frozen=True, slots=True)
class ApiStep:
    """One mutating API call. ``params`` may hold ``{{name}}`` placeholders filled from the
    outputs of earlier steps (see steps.py), e.g. a key id that CreateKey returns."""

    action: str  # IAM action, e.g. dynamodb:UpdateTable
    region: str
    params: Mapping[str, Any]
    wait: str = "table"  # what to wait for after the call: table | dax | none
    table: str | None = None  # the table to wait for, when wait == "table"
    outputs: Mapping[str, str] = field(default_factory=dict)  # name -> dotted path in response

    def describe(self) -> str:
        return f"{self.action} [{self.region}] {json.dumps(self.params, sort_keys=True)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "region": self.region,
            "params": self.params,
            "wait": self.wait,
            "table": self.table,
            "outputs": dict(self.outputs),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ApiStep:
        return ApiStep(
            data["action"],
            data["region"],
            data["params"],
            data.get("wait", "none"),
            data.get("table"),
            data.get("outputs") or {},
        )


@dataclass(frozen=True, slots=True)
class Change:
    """The fix of one control on one resource, as planned from live state."""

    control_id: str
    resource: ResourceRef
    current: str  # human-readable current value, e.g. "7 days"
    target: str  # human-readable target value, e.g. "35 days"
    steps: tuple[ApiStep, ...]
    undo_steps: tuple[ApiStep, ...] = ()
    previous: Mapping[str, Any] = field(default_factory=dict)
    undo_weakens: bool = True  # restoring the previous value turns a protection off
    requires: tuple[str, ...] = ()  # ids of prerequisite changes (a key harden creates)

    @property
    def change_id(self) -> str:
        """Stable over runs for the same plan: control + resource + the calls."""
        text = json.dumps(
            [self.control_id, self.resource.to_dict(), [s.to_dict() for s in self.steps]],
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "control_id": self.control_id,
            "resource": self.resource.to_dict(),
            "current": self.current,
            "target": self.target,
            "steps": [s.to_dict() for s in self.steps],
            "undo_steps": [s.to_dict() for s in self.undo_steps],
            "previous": dict(self.previous),
            "undo_weakens": self.undo_weakens,
        }


@dataclass(frozen=True, slots=True)
class Manual:
    """A gap harden does not fix by itself: the reason and the exact steps for a human."""

    control_id: str
    resource: ResourceRef
    reason: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Skip:
    """A fixable gap left alone, and why (no key configured, state unknown, suppressed...)."""

    control_id: str
    resource: ResourceRef
    reason: str


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
