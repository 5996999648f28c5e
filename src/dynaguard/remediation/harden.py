"""The library API of ``dynaguard harden``: plan, confirm, apply, verify, journal.

result = harden(AwsOptions(regions=("us-east-1",)), config="dynaguard.yaml",
                confirm=lambda plan: True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.config import Config
from dynaguard.controls.registry import get_control
from dynaguard.engine import new_run_id, resolve_config
from dynaguard.evaluate import evaluate
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from dynaguard.model import SubjectKind
from dynaguard.remediation.base import Options, Remediation
from dynaguard.remediation.change import ResourceRef
from dynaguard.remediation.executor import APPLIED, FAILED, Outcome, execute
from dynaguard.remediation.journal import Journal, default_state_dir
from dynaguard.remediation.planner import HardenPlan, build_plan
from dynaguard.remediation.reconcile import needs_reconciling, reconcile
from dynaguard.remediation.selection import opt_in_left_out, select_remediations
from dynaguard.remediation.steps import StepRunner, Timing
from dynaguard.report import Finding
from dynaguard.selection import Selection
from dynaguard.sources.aws.collect import collect, facts_needed
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession


@dataclass(frozen=True, slots=True)
class HardenResult:
    run_id: str
    plan: HardenPlan
    outcomes: tuple[Outcome, ...] = ()
    dry_run: bool = False
    cancelled: bool = False
    journal: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    reconciled: tuple[str, ...] = ()  # earlier runs' pending changes settled before planning

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return EXIT_CANCELLED
        return EXIT_FAILED if any(o.status == FAILED for o in self.outcomes) else EXIT_OK

    def summary(self) -> dict[str, int]:
        counts = {
            s: sum(1 for o in self.outcomes if o.status == s)
            for s in ("applied", "failed", "skipped")
        }
        return {
            "planned": len(self.plan.all_changes),
            **counts,
            "manual": len(self.plan.manual),
            "not_planned": len(self.plan.skipped),
            "opt_in_not_fixed": len(self.plan.opt_in),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "dynaguard", "version": __version__},
            "run_id": self.run_id,
            "command": "harden",
            "dry_run": self.dry_run,
            "cancelled": self.cancelled,
            "journal": self.journal,
            "summary": self.summary(),
            "plan": self.plan.to_dict(),
            "results": [o.to_dict() for o in self.outcomes],
            "reconciled": list(self.reconciled),
            "stats": self.stats,
            "exit_code": self.exit_code,
        }


def only_resource(resource: ResourceRef, selection: Selection) -> Selection:
    """The selection of one resource, to re-read it after a change (keys are found through
    the tables of the run's own selection)."""
    if resource.kind == SubjectKind.TABLE:
        return Selection(tables=(resource.name,))
    if resource.kind == SubjectKind.DAX_CLUSTER:
        return Selection(dax_clusters=(resource.name,))
    if resource.kind == SubjectKind.KMS_KEY:
        return replace(selection, dax_clusters=(), include=frozenset({SubjectKind.KMS_KEY}))
    return Selection(include=frozenset({SubjectKind(resource.kind)}))


def rescanner(
    session: AwsSession, aws_options: AwsOptions, config: Config, run_id: str
) -> Callable[[ResourceRef, str], list[Finding]]:
    """Re-read one resource with one control, through the run's session (verification)."""

    def rescan(resource: ResourceRef, control_id: str) -> list[Finding]:
        control = get_control(control_id)
        narrowed = replace(
            aws_options,
            regions=(resource.region,),
            all_regions=False,
            selection=only_resource(resource, aws_options.selection),
        )
        facts = facts_needed([control], config.baseline)
        inventory = collect(narrowed, facts, run_id=run_id, session=session)
        findings, _ = evaluate(inventory, [control], config)
        return [f for f in findings if f.resource_id == resource.name]

    return rescan


@dataclass(frozen=True, slots=True)
class Prepared:
    """One account, read and planned: its session, the runner that applies and verifies, the
    plan, and what reconciling earlier runs' pending changes settled."""

    session: AwsSession
    runner: StepRunner
    plan: HardenPlan
    reconciled: tuple[str, ...]
    role_arn: str | None = None  # how the session reached the account (journaled for undo)


def prepare(
    session: AwsSession,
    aws_options: AwsOptions,
    cfg: Config,
    chosen: Sequence[Remediation],
    opts: Options,
    *,
    state: Path,
    run_id: str,
    timing: Timing | None = None,
    role_arn: str | None = None,
    opt_in: Sequence[Remediation] = (),
) -> Prepared:
    """Preflights (keys, topics: a usage error before any plan), then settle what earlier runs
    in ``state`` left pending (killed) in this account, then plan from the live state (the
    FAILs of ``opt_in``, the opt-in fixes left out, listed as not fixed)."""
    for preflight in dict.fromkeys(r.preflight for r in chosen if r.preflight is not None):
        preflight(session, aws_options, opts)
    runner = StepRunner(session, timing or Timing(), rescanner(session, aws_options, cfg, run_id))
    notes = reconcile(needs_reconciling(state), runner).notes
    plan = build_plan(session, aws_options, cfg, chosen, opts, run_id, opt_in)
    return Prepared(session, runner, plan, notes, role_arn)


def apply_prepared(
    prepared: Prepared,
    aws_options: AwsOptions,
    *,
    state: Path,
    run_id: str,
    concurrency: int,
    **meta: Any,
) -> HardenResult:
    """Apply a confirmed plan, journaled as run ``run_id``: the journal records the account,
    the role that reached it, the regions and the selection (undo reads them), and ``meta``."""
    plan = prepared.plan
    journal = Journal(state, run_id)
    journal.start(
        "harden",
        account_id=plan.account_id,
        role_arn=prepared.role_arn,
        regions=list(aws_options.regions),
        selection=aws_options.selection.to_dict(),
        planned=len(plan.all_changes),
        **meta,
    )
    outcomes = execute(plan.preludes, plan.changes, prepared.runner, journal, concurrency)
    result = HardenResult(
        run_id, plan, tuple(outcomes), journal=str(journal.path), reconciled=prepared.reconciled
    )
    journal.finish(result.summary())
    return result


def choose(
    cfg: Config,
    aws_options: AwsOptions,
    only: Iterable[str],
    skip: Iterable[str],
    shortcuts: Iterable[str],
    remediations: Sequence[Remediation] | None,
) -> tuple[list[Remediation], list[Remediation]]:
    """The fixes to plan (``remediations`` as given, else the selection of the options) and
    the opt-in fixes left out only because they are opt-in (none when ``remediations`` is
    given)."""
    if remediations is not None:
        return list(remediations), []
    selection = aws_options.selection
    return (
        select_remediations(cfg, only, skip, shortcuts, selection),
        opt_in_left_out(cfg, only, skip, shortcuts, selection),
    )


def harden(
    aws_options: AwsOptions,
    *,
    config: Config | str | Path | None = None,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    shortcuts: Iterable[str] = (),
    options: Options | None = None,
    dry_run: bool = False,
    confirm: Callable[[HardenPlan], bool] | None = None,
    state_dir: Path | None = None,
    run_id: str | None = None,
    recorder: CallRecorder | None = None,
    timing: Timing | None = None,
    concurrency: int = 4,
    remediations: Sequence[Remediation] | None = None,
) -> HardenResult:
    """Plan from live state, then (unless ``dry_run`` or ``confirm`` says no) apply. The chosen
    fixes' preflights run first (the keys to encrypt with, alarm topics: a usage error before
    any plan). Changes that earlier runs in ``state_dir`` left pending (killed) are first
    settled by reading the resources, so the journal records what they did before anything new
    is planned. Several accounts: ``dynaguard.remediation.accounts.harden_accounts``."""
    cfg = resolve_config(config)
    run_id = run_id or new_run_id()
    opts = options or Options(settings=cfg.harden)
    chosen, opt_in = choose(cfg, aws_options, only, skip, shortcuts, remediations)
    session = AwsSession(aws_options, run_id, recorder)
    state = state_dir or default_state_dir()
    prepared = prepare(
        session,
        aws_options,
        cfg,
        chosen,
        opts,
        state=state,
        run_id=run_id,
        timing=timing,
        role_arn=aws_options.role_arn,
        opt_in=opt_in,
    )
    plan, notes = prepared.plan, prepared.reconciled
    if dry_run or not plan.all_changes:
        return HardenResult(run_id, plan, dry_run=dry_run, reconciled=notes)
    if confirm is not None and not confirm(plan):
        return HardenResult(run_id, plan, cancelled=True, reconciled=notes)
    return apply_prepared(
        prepared, aws_options, state=state, run_id=run_id, concurrency=concurrency
    )


__all__ = ["APPLIED", "HardenResult", "Prepared", "apply_prepared", "harden", "prepare"]
