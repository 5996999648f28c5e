"""The planner: re-read live state with the scan engine (collect + evaluate), then ask each
selected remediation to plan from the same controls' verdicts. A FAIL is planned; UNKNOWN is
skipped with its reason (a failed read is never a fix); PASS and SUPPRESSED are "ok".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.config import Config
from dynaguard.controls.registry import get_control
from dynaguard.controls.subjects import KeyUse, region_subjects, subject_of
from dynaguard.cost.estimate import CostLine
from dynaguard.cost.plans import cost_summary, costing_for, harden_costs
from dynaguard.evaluate import evaluate
from dynaguard.model import Inventory, Known, RegionScope, Status
from dynaguard.remediation import preludes
from dynaguard.remediation.base import LiveState, Options, Remediation
from dynaguard.remediation.change import Change, Manual, ResourceRef, Skip
from dynaguard.report import Finding
from dynaguard.sources.aws.collect import collect, facts_needed
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.session import AwsSession

TRANSITIONAL = frozenset({"UPDATING", "CREATING", "modifying", "creating"})


@dataclass(frozen=True, slots=True)
class PlanRow:
    resource: ResourceRef
    cells: dict[str, str]  # control id -> "ok" | "current -> target" | MANUAL | skip | ?


@dataclass(frozen=True, slots=True)
class HardenPlan:
    account_id: str
    columns: tuple[str, ...]
    rows: tuple[PlanRow, ...]
    preludes: tuple[Change, ...]
    changes: tuple[Change, ...]
    manual: tuple[Manual, ...] = ()
    skipped: tuple[Skip, ...] = ()
    notices: tuple[str, ...] = field(default_factory=tuple)
    costs: tuple[CostLine, ...] = ()  # one per change of all_changes (dynaguard.cost)
    price_label: str = ""
    # FAILs of opt-in controls this run does not fix (not in harden.opt_in, no --only)
    opt_in: tuple[Skip, ...] = ()

    @property
    def all_changes(self) -> tuple[Change, ...]:
        return self.preludes + self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "controls": list(self.columns),
            "resources": [
                {"resource": r.resource.to_dict(), "controls": r.cells} for r in self.rows
            ],
            "changes": [{**c.to_dict(), **self._cost_of(c.change_id)} for c in self.all_changes],
            "cost": cost_summary(self.costs, self.price_label),
            "manual": [
                {
                    "control_id": m.control_id,
                    "resource": m.resource.to_dict(),
                    "reason": m.reason,
                    "steps": list(m.steps),
                }
                for m in self.manual
            ],
            "skipped": [
                {"control_id": s.control_id, "resource": s.resource.to_dict(), "reason": s.reason}
                for s in self.skipped
            ],
            "opt_in_not_fixed": [
                {
                    "control_id": s.control_id,
                    "resource": s.resource.to_dict(),
                    "reason": s.reason,
                    "enable_with": f"--only {s.control_id} (or harden.opt_in: [{s.control_id}])",
                }
                for s in self.opt_in
            ],
            "notices": list(self.notices),
        }

    def _cost_of(self, change_id: str) -> dict[str, Any]:
        line = next((c for c in self.costs if c.change_id == change_id), None)
        if line is None:
            return {}
        return {"cost_usd_month": line.cost_usd_month, "cost_basis": line.basis}


def _group(finding: Finding) -> tuple[str, str, str]:
    kind = "table" if finding.resource_type == "replica" else finding.resource_type
    return (finding.account_id or "", kind, finding.resource_id)


def _subjects(scope: RegionScope, inventory: Inventory) -> Iterator[tuple[str, Any]]:
    for kind, fact in region_subjects(scope).items():
        if isinstance(fact, Known):
            for obj in fact.value:
                yield kind, obj
    if scope is inventory.regions[0]:
        for account in inventory.accounts:
            if isinstance(account.iam_policies, Known):
                for policy in account.iam_policies.value:
                    yield "iam_policy", policy


def _ref(kind: str, obj: Any, scope: RegionScope) -> ResourceRef:
    subject = subject_of(obj)
    return ResourceRef(kind, subject.resource_id, subject.region, subject.account_id)


def _state(obj: Any) -> str | None:
    status = getattr(obj, "status", None)
    if isinstance(obj, KeyUse):
        return obj.key.value.state if isinstance(obj.key, Known) else None
    return status.value if isinstance(status, Known) else None


class _Builder:
    def __init__(self, remediations: Sequence[Remediation], options: Options) -> None:
        self.remediations = remediations
        self.options = options
        self.rows: list[PlanRow] = []
        self.changes: list[Change] = []
        self.manual: list[Manual] = []
        self.skipped: list[Skip] = []
        self.subjects: dict[ResourceRef, object] = {}  # for the cost estimate

    def resource(self, kind: str, obj: Any, live: LiveState, ref: ResourceRef) -> None:
        self.subjects[ref] = obj
        cells: dict[str, str] = {}
        for rem in self.remediations:
            if rem.subject != kind:
                continue
            cells[rem.control_id] = self._cell(rem, obj, live, ref)
        if cells:
            self.rows.append(PlanRow(ref, cells))

    def _cell(self, rem: Remediation, obj: Any, live: LiveState, ref: ResourceRef) -> str:
        failing, undecided = live.failing(rem.control_id), live.undecided(rem.control_id)
        if not failing:
            if undecided:
                self.skipped.append(
                    Skip(rem.control_id, ref, f"state unknown: {undecided[0].reason}")
                )
                return "?"
            return "ok"
        state = _state(obj)
        if (
            state is not None
            and state not in rem.valid_states
            and state not in TRANSITIONAL
            and not rem.manual_only
        ):
            self.skipped.append(
                Skip(
                    rem.control_id,
                    ref,
                    f"{ref.kind} is {state}, not {' / '.join(rem.valid_states)}",
                )
            )
            return "skip"
        result = rem.plan(obj, live, self.options)
        if isinstance(result, Change):
            self.changes.append(result)
            return f"{result.current} -> {result.target}"
        if isinstance(result, Manual):
            self.manual.append(result)
            return "MANUAL"
        if isinstance(result, Skip):
            self.skipped.append(result)
            return "skip"
        return "ok"


def read_zones(session: AwsSession, region: str) -> tuple[str, ...]:
    """The region's available Availability Zones (for spreading DAX nodes)."""
    try:
        zones = session.client("ec2", region).describe_availability_zones()["AvailabilityZones"]
    except (ClientError, BotoCoreError):
        return ()
    return tuple(sorted(z["ZoneName"] for z in zones if z.get("State", "available") == "available"))


def build_plan(
    session: AwsSession,
    aws_options: AwsOptions,
    config: Config,
    remediations: Sequence[Remediation],
    options: Options,
    run_id: str,
    opt_in: Sequence[Remediation] = (),
) -> HardenPlan:
    """The plan of ``remediations``; the controls of ``opt_in`` (opt-in fixes left out of
    this run) are judged too, and their FAILs listed as not fixed, never silently dropped."""
    controls = [get_control(r.control_id) for r in (*remediations, *opt_in)]
    facts = facts_needed(controls, config.baseline)
    inventory = collect(aws_options, facts, run_id=run_id, session=session)
    findings, notices = evaluate(inventory, controls, config)
    by_resource: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_resource[_group(finding)].append(finding)
        if finding.resource_id.startswith("*"):
            notices.append(f"{finding.control_id} in {finding.region}: {finding.reason}")
    builder = _Builder(remediations, options)
    accounts = {a.account_id: a for a in inventory.accounts}
    wants_zones = any(r.control_id == "DDB.009" for r in remediations)
    for scope in inventory.regions:
        zones = (
            read_zones(session, scope.region)
            if wants_zones and _dax_failing(findings, scope)
            else ()
        )
        for kind, obj in _subjects(scope, inventory):
            ref = _ref(kind, obj, scope)
            if not aws_options.selection.selects(kind, ref.name):
                continue  # never planned outside the selection, whatever was read
            mine = [
                f
                for f in by_resource.get((ref.account_id, kind, ref.name), ())
                if kind != "table" or f.region == scope.region or f.resource_type == "replica"
            ]
            live = LiveState(
                scope, accounts.get(scope.account_id), config.baseline, tuple(mine), zones
            )
            builder.resource(kind, obj, live, ref)
    account_id = inventory.accounts[0].account_id if inventory.accounts else ""
    prelude_changes = _preludes(session, builder.changes, options, account_id, run_id)
    costing = costing_for(config)
    costs = harden_costs(prelude_changes + tuple(builder.changes), builder.subjects, costing)
    return HardenPlan(
        account_id,
        tuple(r.control_id for r in remediations),
        tuple(builder.rows),
        prelude_changes,
        tuple(builder.changes),
        tuple(builder.manual),
        tuple(builder.skipped),
        tuple(notices),
        costs,
        costing.prices.label(),
        _opt_in_fails(findings, opt_in, aws_options),
    )


def _opt_in_fails(
    findings: list[Finding], opt_in: Sequence[Remediation], aws_options: AwsOptions
) -> tuple[Skip, ...]:
    """Each FAIL (and its reason) of a left-out opt-in control, in the selection."""
    ids = {r.control_id for r in opt_in}
    out = []
    for f in findings:
        if f.control_id not in ids or f.status is not Status.FAIL:
            continue
        account, kind, name = _group(f)
        if not aws_options.selection.selects(kind, name):
            continue
        out.append(Skip(f.control_id, ResourceRef(kind, name, f.region or "", account), f.reason))
    return tuple(out)


def _dax_failing(findings: list[Finding], scope: RegionScope) -> bool:
    return any(
        f.control_id == "DDB.009" and f.status is Status.FAIL and f.region == scope.region
        for f in findings
    )


def _preludes(
    session: AwsSession, changes: list[Change], options: Options, account_id: str, run_id: str
) -> tuple[Change, ...]:
    needed = sorted({r for c in changes for r in c.requires})
    out = []
    for prelude in needed:
        kind, region = prelude.split(":", 1)
        if kind == "create-key":
            if not _alias_exists(session, region, options.create_key_alias):
                out.append(
                    preludes.create_key(region, account_id, options.create_key_alias, run_id)
                )
        else:
            out.append(preludes.create_backup_plan(region, account_id, options))
    return tuple(out)


def _alias_exists(session: AwsSession, region: str, alias: str) -> bool:
    try:
        session.client("kms", region).describe_key(KeyId=alias)
    except ClientError:
        return False
    return True
