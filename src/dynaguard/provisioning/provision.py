"""The library API of ``dynaguard provision``: plan (read-only), confirm, apply, verify.

The same shape as ``dynaguard.remediation.harden``:

    spec = load_spec(preset="sessions", defaults=SpecDefaults(region="eu-west-1", table_name="s"))
    result = provision(spec, AwsOptions(), config="dynaguard.yaml", confirm=lambda plan: True)
    result.outcome, result.exit_code

Creating is the only mutating path, and only when the table does not exist yet: an existing
table is compared with the spec and never changed (``harden`` changes tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.config import Config
from dynaguard.engine import choose_controls, new_run_id, resolve_config
from dynaguard.errors import ProvisionError
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from dynaguard.provisioning.apply import Executor, StepResult, Waiting, apply_plan
from dynaguard.provisioning.live import ProvisionSession
from dynaguard.provisioning.plan import Plan, live_plan
from dynaguard.provisioning.spec import TableSpec
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder


class Outcome(StrEnum):
    """How a provisioning run ended (the ``outcome`` of ``--format json``)."""

    CREATED = "created"  # created, every step applied and verified
    FAILED = "failed"  # a call or a verification failed: the table may exist partly configured
    PLANNED = "planned"  # dry run: nothing changed
    CANCELLED = "cancelled"  # not confirmed: nothing created
    MATCHING = "matching"  # the table exists and matches the spec
    DIFFERS = "differs"  # the table exists and differs from the spec: nothing changed


EXIT_CODES = {
    Outcome.CREATED: EXIT_OK,
    Outcome.FAILED: EXIT_FAILED,
    Outcome.PLANNED: EXIT_OK,
    Outcome.CANCELLED: EXIT_CANCELLED,
    Outcome.MATCHING: EXIT_OK,
    Outcome.DIFFERS: EXIT_FAILED,
}


@dataclass(frozen=True, slots=True)
class ProvisionResult:
    run_id: str
    plan: Plan
    outcome: Outcome
    results: tuple[StepResult, ...] = ()
    dry_run: bool = False
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` document: stable keys, plan, pre-flight and per-step results."""
        return {
            "tool": {"name": "dynaguard", "version": __version__},
            "command": "provision",
            "run_id": self.run_id,
            "outcome": self.outcome.value,
            "exit_code": self.exit_code,
            "dry_run": self.dry_run,
            "plan": self.plan.to_dict(),
            "preflight": self.plan.preflight.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "api_calls": self.stats.get("api_calls", {}),
        }

    def closing(self) -> str:
        """One sentence on what happened, and what to do next when it went wrong."""
        name = self.plan.spec.table_name
        return {
            Outcome.CREATED: f"created {name}: every step applied and verified",
            Outcome.FAILED: f"provisioning {name} failed; the table may exist partly "
            "configured: fix the cause, then run `dynaguard harden` (nothing was deleted)",
            Outcome.PLANNED: "dry run: nothing was changed",
            Outcome.CANCELLED: "cancelled: nothing created",
            Outcome.MATCHING: f"{name} already exists and matches the spec",
            Outcome.DIFFERS: f"{name} already exists and differs from the spec: nothing was "
            "changed; run `dynaguard harden` for the baseline settings",
        }[self.outcome]


def execute_plan(
    plan: Plan, session: ProvisionSession, waiting: Waiting | None = None
) -> list[StepResult]:
    """CreateTable, wait for ACTIVE, then every post-create step, each verified."""
    executor = Executor(
        session.client,
        plan.spec.table_name,
        plan.spec.region,
        waiting or Waiting(),
    )
    return apply_plan(executor, plan.create_request, list(plan.steps))


def provision(
    spec: TableSpec,
    aws_options: AwsOptions | None = None,
    *,
    config: Config | str | Path | None = None,
    controls: Iterable[str] | None = None,
    dry_run: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    waiting: Waiting | None = None,
    run_id: str | None = None,
    recorder: CallRecorder | None = None,
) -> ProvisionResult:
    """Plan from the account's live state (read-only calls), then, when the table does not
    exist, unless ``dry_run`` or ``confirm`` says no, create it and verify every step.

    ``aws_options`` gives the credentials and endpoint (its regions are ignored: the table's
    region is the spec's). ``controls`` are the ids the pre-flight check runs (default: the
    configured ones). A read that fails while planning is a ProvisionError (exit 1)."""
    cfg = resolve_config(config)
    run_id = run_id or new_run_id()
    recorder = recorder if recorder is not None else CallRecorder()
    options = replace(aws_options or AwsOptions(), regions=(spec.region,), all_regions=False)
    chosen = choose_controls(cfg, controls)
    try:
        session = ProvisionSession(options, spec.region, run_id, recorder)
        plan = live_plan(spec, session, chosen, cfg, run_id)
    except ReadError as err:
        raise ProvisionError(f"cannot plan: {err}") from None

    def ended(outcome: Outcome, results: list[StepResult] | None = None) -> ProvisionResult:
        stats = {"api_calls": dict(sorted(recorder.by_action().items()))}
        return ProvisionResult(run_id, plan, outcome, tuple(results or ()), dry_run, stats)

    if not plan.creates:
        return ended(Outcome.DIFFERS if plan.differences else Outcome.MATCHING)
    if dry_run:
        return ended(Outcome.PLANNED)
    if confirm is not None and not confirm(plan):
        return ended(Outcome.CANCELLED)
    results = execute_plan(plan, session, waiting)
    ok = all(r.status == "verified" for r in results)
    return ended(Outcome.CREATED if ok else Outcome.FAILED, results)


__all__ = ["Outcome", "ProvisionResult", "execute_plan", "provision"]
