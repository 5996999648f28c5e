"""The live half of ``dynaguard provision``: plan (read-only), confirm, apply, report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dynaguard.cli.provision import ProvisionError, result_document
from dynaguard.config import Config
from dynaguard.controls.base import Control
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from dynaguard.provisioning import (
    Plan,
    ProvisionSession,
    StepResult,
    TableSpec,
    Waiting,
    execute_plan,
    live_plan,
    render_plan,
)
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import CallRecorder


def provision_live(
    spec: TableSpec,
    controls: list[Control],
    config: Config,
    run_id: str,
    args: argparse.Namespace,
) -> int:
    recorder = CallRecorder()
    options = AwsOptions(
        regions=(spec.region,),
        profile=args.profile,
        role_arn=args.role_arn,
        external_id=args.external_id,
        endpoint_url=args.endpoint_url,
        concurrency=4,
    )
    try:
        session = ProvisionSession(options, spec.region, run_id, recorder)
        plan = live_plan(spec, session, controls, config, run_id)
    except ReadError as err:
        raise ProvisionError(f"cannot plan: {err}") from None
    as_json = args.format == "json"
    out = sys.stderr if as_json else sys.stdout
    out.write(render_plan(plan))
    out.flush()

    def finish(outcome: str, code: int, results: list[StepResult] | None = None) -> int:
        _report(outcome, code, run_id, plan, results, recorder, args)
        return code

    if not plan.creates:
        return (
            finish("matching", EXIT_OK) if not plan.differences else finish("differs", EXIT_FAILED)
        )
    if args.dry_run:
        return finish("planned", EXIT_OK)
    if not args.yes and not _confirmed(plan):
        return finish("cancelled", EXIT_CANCELLED)
    results = execute_plan(
        plan, session, Waiting(delay_s=args.poll_interval, timeout_s=args.wait_timeout)
    )
    ok = all(r.status == "verified" for r in results)
    return finish("created" if ok else "failed", EXIT_OK if ok else EXIT_FAILED, results)


def _confirmed(plan: Plan) -> bool:
    """Ask on the terminal; without one (and without --yes) nothing is created."""
    if not sys.stdin.isatty():
        print(
            "dynaguard: not creating: confirmation needed but stdin is not a terminal "
            "(pass --yes to create without asking)",
            file=sys.stderr,
        )
        return False
    question = f"Create table {plan.spec.table_name} in {plan.spec.region}? [y/N] "
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        print("cancelled: nothing created", file=sys.stderr)
        return False
    return True


def _report(
    outcome: str,
    code: int,
    run_id: str,
    plan: Plan,
    results: list[StepResult] | None,
    recorder: CallRecorder,
    args: argparse.Namespace,
) -> None:
    if args.format == "json":
        sys.stdout.write(
            result_document(
                outcome,
                code,
                run_id,
                dry_run=bool(args.dry_run),
                plan=plan.to_dict(),
                preflight=plan.preflight.to_dict(),
                results=[r.to_dict() for r in results or ()],
                api_calls=dict(sorted(recorder.by_action().items())),
            )
        )
        return
    lines = [
        f"  {r.status:<13} {r.action} in {r.region}: {r.summary}"
        + (f" ({r.detail})" if r.detail and r.status == "failed" else "")
        for r in results or ()
    ]
    lines.append(_closing(outcome, plan))
    sys.stdout.write("\n".join(lines) + "\n")


def _closing(outcome: str, plan: Plan) -> str:
    name = plan.spec.table_name
    messages: dict[str, Any] = {
        "created": f"created {name}: every step applied and verified",
        "failed": f"provisioning {name} failed; the table may exist partly configured: "
        "fix the cause, then run `dynaguard harden` (nothing was deleted)",
        "planned": "dry run: nothing was changed",
        "cancelled": "cancelled: nothing created",
        "matching": f"{name} already exists and matches the spec",
        "differs": f"{name} already exists and differs from the spec: nothing was changed; "
        "run `dynaguard harden` for the baseline settings",
    }
    return str(messages[outcome])
