"""A planned fix as data: the resource it changes, the API calls that make it (``steps``), the
calls that would restore it (``undo_steps``, computed from the live state before the change),
and the previous value for the journal; or, when harden does not change a gap, why (Manual,
Skip)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

# What a step waits for after its call: the table (and its replicas) ACTIVE, the DAX cluster
# available, or nothing.
WaitKind = Literal["table", "dax", "none"]
WAIT_KINDS: tuple[WaitKind, ...] = get_args(WaitKind)


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
    wait: WaitKind = "table"
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
            _wait_kind(data.get("wait")),
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


def _wait_kind(value: object) -> WaitKind:
    """A journaled step's wait; one this version does not know waits for nothing."""
    for kind in WAIT_KINDS:
        if value == kind:
            return kind
    return "none"
