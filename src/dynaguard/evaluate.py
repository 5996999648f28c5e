"""Evaluate controls over an Inventory: verdicts -> findings, with config and suppressions.

Pure: no I/O. Used by the live scan, the IaC scan and provisioning's pre-flight check alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from dynaguard.config import Config, Suppression
from dynaguard.controls.base import Context, Control, Subject, Verdict
from dynaguard.controls.code_fixes import remediation_for, source_of
from dynaguard.controls.subjects import region_subjects, subject_of, unknown_subject
from dynaguard.model import AccountScope, Inventory, Known, RegionScope, Severity, Status, Unknown
from dynaguard.report import Finding
from dynaguard.selection import Selection


def select_controls(
    controls: Sequence[Control], config: Config, only: Iterable[str] | None = None
) -> list[Control]:
    """Controls enabled in the config, narrowed to ``only`` when given."""
    wanted = set(only) if only else None
    out = []
    for c in controls:
        settings = config.controls.get(c.id)
        if wanted is not None:
            if c.id in wanted:
                out.append(c)
        elif settings is None or settings.enabled:
            out.append(c)
    return out


def evaluate(
    inventory: Inventory,
    controls: Sequence[Control],
    config: Config,
    today: dt.date | None = None,
) -> tuple[list[Finding], list[str]]:
    """Findings for every selected control over every subject, and notices for the user."""
    today = today or dt.date.today()
    notices: list[str] = []
    for s in config.suppressions:
        if s.expired(today):
            notices.append(
                f"suppression of {s.control} for {', '.join(s.resources)} expired on "
                f"{s.expires}: no longer applied"
            )
    accounts = {a.account_id: a for a in inventory.accounts}
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for finding in _raw_findings(inventory, controls, config, accounts):
        key = (
            finding.control_id,
            finding.resource_type,
            finding.resource_arn or "",
            f"{finding.account_id}/{finding.region}/{finding.resource_id}",
            finding.file or "",  # IaC: the same address in two root modules is two resources
        )
        if key in seen:  # a replica judged from each of its peers' regions
            continue
        seen.add(key)
        findings.append(_suppress(finding, config.suppressions, today))
    findings.sort(
        key=lambda f: (f.account_id, f.region, f.resource_type, f.resource_id, f.control_id)
    )
    return findings, notices


def evaluate_selected(
    inventory: Inventory, selection: Selection, controls: Sequence[Control], config: Config
) -> tuple[list[Finding], list[str]]:
    """Findings of what ``selection`` names only (selection.py): a filter never lets an
    unselected resource change the exit code. One account of a multi-account scan."""
    return evaluate(selection.narrow(inventory), controls, config)


def _raw_findings(
    inventory: Inventory,
    controls: Sequence[Control],
    config: Config,
    accounts: dict[str, AccountScope],
) -> Iterator[Finding]:
    for scope in inventory.regions:
        ctx = Context(scope, accounts.get(scope.account_id), config.baseline)
        subjects = region_subjects(scope)
        for control in controls:
            if control.subject_kind == "iam_policy":
                continue
            yield from _judge(
                control, subjects[control.subject_kind], ctx, config, scope.account_id, scope.region
            )
    for account in inventory.accounts:
        empty = RegionScope(account.account_id, "global")
        ctx = Context(empty, account, config.baseline)
        for control in controls:
            if control.subject_kind == "iam_policy":
                yield from _judge(
                    control, account.iam_policies, ctx, config, account.account_id, "global"
                )


def _judge(
    control: Control,
    subjects: Known[tuple[object, ...]] | Unknown,
    ctx: Context,
    config: Config,
    account_id: str,
    region: str,
) -> Iterator[Finding]:
    if isinstance(subjects, Unknown):
        stand_in = unknown_subject(control.subject_kind, account_id, region, subjects.origin)
        verdict = Verdict(Status.UNKNOWN, f"could not list resources: {subjects.reason}")
        yield _finding(control, stand_in, verdict, config)
        return
    for obj in subjects.value:
        subject = subject_of(obj)
        try:
            verdicts = control.evaluate(obj, ctx)
        except Exception as exc:  # a bug in one control must not hide the others' findings
            verdicts = [Verdict(Status.UNKNOWN, f"internal error in {control.id}: {exc!r}")]
        for verdict in verdicts:
            yield _finding(control, verdict.subject or subject, verdict, config)


def _finding(control: Control, subject: Subject, verdict: Verdict, config: Config) -> Finding:
    settings = config.controls.get(control.id)
    severity = verdict.severity or control.severity
    if settings and settings.severity:
        severity = Severity(settings.severity)
    origin = subject.origin
    status = verdict.status
    suppression = None
    if status is Status.FAIL:
        for cid, why in subject.suppressions:
            if cid == control.id:
                status, suppression = Status.SUPPRESSED, f"inline: {why}"
                break
    return Finding(
        control_id=control.id,
        title=control.title,
        status=status,
        severity=severity,
        resource_type=subject.resource_type,
        resource_id=subject.resource_id,
        account_id=subject.account_id,
        region=subject.region,
        reason=verdict.reason,
        remediation=(
            remediation_for(control, subject, config.baseline)
            if verdict.status is Status.FAIL
            else ""
        ),
        resource_arn=subject.arn,
        file=origin.file if origin else None,
        line=origin.line if origin else None,
        evidence=verdict.evidence.describe() if verdict.evidence else None,
        suppression=suppression,
        source=source_of(subject),
    )


def _suppress(finding: Finding, suppressions: Sequence[Suppression], today: dt.date) -> Finding:
    if finding.status is not Status.FAIL:
        return finding
    ids = tuple(x for x in (finding.resource_id, finding.resource_arn) if x)
    for s in suppressions:
        if s.matches(finding.control_id, ids) and not s.expired(today):
            until = f" (until {s.expires})" if s.expires else ""
            return _replace(finding, Status.SUPPRESSED, f"{s.reason}{until}")
    return finding


def _replace(finding: Finding, status: Status, suppression: str) -> Finding:
    from dataclasses import replace

    return replace(finding, status=status, suppression=suppression)
