"""The provisioning plan: what will be created, by which calls, and how the table will fare
against the baseline, judged by the same controls as a scan before anything exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dynaguard.config import Config
from dynaguard.controls.base import Control
from dynaguard.cost.estimate import CostLine
from dynaguard.cost.plans import cost_summary, costing_for, provision_costs, render_cost_lines
from dynaguard.model import Status
from dynaguard.provisioning.drift import Difference, compare
from dynaguard.provisioning.live import ExistingTable, ProvisionSession
from dynaguard.provisioning.requests import create_table_request, post_create_steps
from dynaguard.provisioning.spec import EncryptionType, TableSpec
from dynaguard.provisioning.step import Step
from dynaguard.provisioning.to_model import (
    AccountFacts,
    offline_facts,
    policy_with_arn,
    preflight,
    table_arn,
)
from dynaguard.report import Report
from dynaguard.sanitize import clean_line

ENCRYPTION_WORDS = {
    EncryptionType.DEFAULT: "DEFAULT (AWS owned key)",
    EncryptionType.KMS: "KMS (AWS managed key aws/dynamodb)",
    EncryptionType.CUSTOMER_KEY: "CUSTOMER_KEY",
}


@dataclass(frozen=True, slots=True)
class Plan:
    spec: TableSpec
    facts: AccountFacts
    table_arn: str
    create_request: dict[str, Any]
    steps: tuple[Step, ...]
    preflight: Report
    existing: ExistingTable | None = None
    differences: tuple[Difference, ...] = field(default_factory=tuple)
    costs: tuple[CostLine, ...] = ()  # what the plan adds to the monthly bill (dynaguard.cost)
    price_label: str = ""

    @property
    def creates(self) -> bool:
        return self.existing is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.spec.table_name,
            "region": self.spec.region,
            "account_id": self.facts.account_id,
            "table_arn": self.table_arn,
            "encryption": self.spec.encryption.type.value,
            "kms_key_arn": self.spec.encryption.kms_key_arn,
            "defaults_applied": list(self.spec.defaults_applied),
            "exists": self.existing is not None,
            "create_table": self.create_request,
            "post_create": [
                {
                    "action": s.action,
                    "region": s.region,
                    "summary": s.summary,
                    "params": dict(s.params),
                }
                for s in self.steps
            ],
            "differences": [d.to_dict() for d in self.differences],
            "cost": {
                **cost_summary(self.costs, self.price_label),
                "changes": [c.to_dict() for c in self.costs],
            },
        }


def build_plan(
    spec: TableSpec,
    facts: AccountFacts,
    controls: list[Control],
    config: Config,
    run_id: str,
    existing: ExistingTable | None = None,
) -> Plan:
    arn = table_arn(spec, facts)
    steps = post_create_steps(spec, policy_with_arn(spec, arn), arn)
    differences = tuple(compare(spec, existing, facts)) if existing is not None else ()
    costing = costing_for(config)
    return Plan(
        spec=spec,
        facts=facts,
        table_arn=arn,
        create_request=create_table_request(spec),
        steps=tuple(steps),
        preflight=preflight(spec, facts, controls, config, run_id),
        existing=existing,
        differences=differences,
        costs=provision_costs(spec, steps, costing) if existing is None else (),
        price_label=costing.prices.label(),
    )


def live_plan(
    spec: TableSpec,
    session: ProvisionSession,
    controls: list[Control],
    config: Config,
    run_id: str,
) -> Plan:
    """Read the account's facts and any existing table, then plan (read-only calls only)."""
    facts = session.account_facts(spec)
    existing = session.existing_table(spec.table_name)
    return build_plan(spec, facts, controls, config, run_id, existing)


def offline_plan(spec: TableSpec, controls: list[Control], config: Config, run_id: str) -> Plan:
    return build_plan(spec, offline_facts(spec), controls, config, run_id)


# --- text ------------------------------------------------------------------------------------

_MARKS = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.UNKNOWN: "UNKNOWN",
    Status.NOT_APPLICABLE: "N/A",
    Status.SUPPRESSED: "SUPPRESSED",
}


def _describe_table(spec: TableSpec) -> list[str]:
    keys = f"{spec.hash_key} ({spec.attributes.get(spec.hash_key)}) HASH"
    if spec.range_key:
        keys += f", {spec.range_key} ({spec.attributes.get(spec.range_key)}) RANGE"
    enc = ENCRYPTION_WORDS[spec.encryption.type]
    if spec.encryption.kms_key_arn:
        enc += f" {spec.encryption.kms_key_arn}"
    billing = spec.billing_mode
    if spec.capacity:
        billing += f" (read {spec.capacity.read}, write {spec.capacity.write})"
    pitr = f"on, {spec.pitr.recovery_period_in_days} days" if spec.pitr.enabled else "off"
    lines = [
        f"  key:                 {keys}",
        f"  billing:             {billing}",
        f"  encryption:          {enc}",
        f"  PITR:                {pitr}",
        f"  deletion protection: {'on' if spec.deletion_protection else 'off'}",
        f"  stream:              {spec.stream.view_type if spec.stream.enabled else 'off'}",
        f"  TTL:                 {spec.ttl_attribute or 'off'}",
        f"  tags:                {', '.join(f'{k}={v}' for k, v in spec.tags.items()) or 'none'}",
    ]
    for g in spec.global_indexes:
        rng = f", {g.range_key} RANGE" if g.range_key else ""
        lines.append(f"  GSI {g.name}: {g.hash_key} HASH{rng}, projection {g.projection.type}")
    for i in spec.local_indexes:
        lines.append(f"  LSI {i.name}: {i.range_key} RANGE, projection {i.projection.type}")
    for r in spec.replicas:
        lines.append(f"  replica: {r.region}" + (f" ({r.kms_key_arn})" if r.kms_key_arn else ""))
    if spec.resource_policy is not None:
        lines.append("  resource policy: yes")
    return lines


def render_plan(plan: Plan) -> str:
    spec = plan.spec
    verb = "create" if plan.creates else "compare existing"
    lines = [
        f"Plan: {verb} DynamoDB table {spec.table_name} in {spec.region} "
        f"(account {plan.facts.account_id}), from {spec.source}",
        *_describe_table(spec),
    ]
    if spec.defaults_applied:
        lines.append("  defaults applied (the schema was silent):")
        lines += [f"    - {d}" for d in spec.defaults_applied]
    if plan.creates:
        lines.append("  calls:")
        enc = ENCRYPTION_WORDS[spec.encryption.type]
        lines.append(f"    1. dynamodb:CreateTable (encryption {enc}), wait for ACTIVE")
        for n, step in enumerate(plan.steps, start=2):
            lines.append(f"    {n}. {step.action} in {step.region}: {step.summary} (verified)")
    else:
        lines += _render_differences(plan)
    lines += render_cost_lines(plan.costs, plan.price_label)
    lines.append("  baseline check (the controls a scan runs, on the table as planned):")
    for f in plan.preflight.findings:
        who = "" if f.resource_type == "table" else f" [{f.resource_type} {f.resource_id}]"
        lines.append(f"    {_MARKS[f.status]:<8} {f.control_id}{who} {f.title}: {f.reason}")
    # names and reasons from files and AWS: inert, and one line each (no forged line)
    return "\n".join(map(clean_line, lines)) + "\n"


def _render_differences(plan: Plan) -> list[str]:
    if not plan.differences:
        return ["  the table exists and matches the spec: nothing to do"]
    lines = ["  the table exists; nothing will be created, changed or deleted. Differences:"]
    for d in plan.differences:
        lines.append(f"    - {d.field}: wanted {d.wanted}, found {d.actual} -> {d.fix}")
    lines.append("  run `dynaguard harden` to bring the baseline settings in line")
    return lines
