"""Local worker processes: one machine's cores on one scan (``--workers N``).

One Python process runs one core at a time (the GIL), and a large organization scan is bound
by the client's CPU (botocore builds, signs and parses every request) long before the network.
So the units of the shard are split once more, by another stable hash, between ``workers``
processes started with ``spawn`` (a fork of a process with threads is unsafe). Each worker opens
its accounts, collects, evaluates each account as it completes and sends the findings (already
serialised, as JSON lines) to the parent, which spools them: the output is the same as one
process's. Workers report progress every ~0.2 s and their API call counts at the end. A worker
that fails sends its error (a usage or audit error keeps its kind); one that dies (killed,
out of memory) makes the scan fail as incomplete rather than report its units as missing.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from dynaguard.config import Config
from dynaguard.errors import AuditError, ConfigError, DynaguardError, UsageError
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org_run import FleetPlan, FleetProgress

PROGRESS_EVERY_S = 0.2
LIVENESS_POLL_S = 1.0


@dataclass(frozen=True, slots=True)
class WorkerJob:
    index: int
    options: AwsOptions
    plan: FleetPlan
    config: Config | str | Path | None
    controls: tuple[str, ...]
    run_id: str


@dataclass(slots=True)
class WorkerTotals:
    """What the workers reported, summed."""

    progress: FleetProgress
    calls: Counter[str]


def worker_main(job: WorkerJob, out: Any) -> None:
    """Entry point of a worker process: collect and evaluate its units, report to ``out``."""
    try:
        _work(job, out)
    except DynaguardError as exc:
        out.put(("error", job.index, type(exc).__name__, str(exc)))
    except BaseException as exc:  # a bug: its text reaches the user, not a silent hole
        out.put(("error", job.index, "crash", f"{type(exc).__name__}: {exc}"))


def _work(job: WorkerJob, out: Any) -> None:
    from dynaguard.engine import choose_controls, resolve_config
    from dynaguard.fleet_scan import judge_account
    from dynaguard.sources.aws.collect import facts_needed, with_implied
    from dynaguard.sources.aws.org_run import AccountResult, FleetCollector
    from dynaguard.sources.aws.recorder import CallRecorder
    from dynaguard.sources.aws.session import AwsSession

    cfg = resolve_config(job.config)
    selected = choose_controls(cfg, job.controls, job.options.selection)
    recorder = CallRecorder()
    base = AwsSession(job.options, job.run_id, recorder)
    last = [0.0]

    def on_account(result: AccountResult) -> None:
        findings, notes = judge_account(result, job.options, selected, cfg)
        lines = [json.dumps(f.to_dict(), ensure_ascii=False) for f in findings]
        units = {
            f"{s.account_id}/{s.region}": len(s.table_list()) for s in result.inventory.regions
        }
        out.put(("account", result.account_id, lines, notes, units, result.failed))

    def progress(p: FleetProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            out.put(("progress", job.index, asdict(p)))

    facts = with_implied(facts_needed(selected))
    done = FleetCollector(base, job.plan, facts, on_account, progress).run()
    out.put(("done", job.index, asdict(done), dict(recorder.by_action())))


def run_workers(
    jobs: list[WorkerJob],
    on_account: Callable[[str, list[str], list[str], dict[str, int], str | None], None],
    progress: Callable[[FleetProgress], None] | None = None,
) -> WorkerTotals:
    """Start one process per job, hand on each account's findings, return the totals."""
    context = multiprocessing.get_context("spawn")
    messages: Any = context.Queue()
    processes = [context.Process(target=worker_main, args=(j, messages)) for j in jobs]
    for process in processes:
        process.start()
    snapshots: dict[int, FleetProgress] = {}
    finished: dict[int, FleetProgress] = {}
    calls: Counter[str] = Counter()
    try:
        while len(finished) < len(jobs):
            try:
                message = messages.get(timeout=LIVENESS_POLL_S)
            except queue.Empty:
                _check_alive(processes, finished)
                continue
            kind = message[0]
            if kind == "account":
                on_account(*message[1:])
            elif kind == "progress":
                snapshots[message[1]] = FleetProgress(**message[2])
            elif kind == "done":
                finished[message[1]] = snapshots[message[1]] = FleetProgress(**message[2])
                calls.update(message[3])
            else:
                _raise(message)
            if progress is not None and kind in ("progress", "done"):
                progress(_sum(snapshots.values()))
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    return WorkerTotals(_sum(finished.values()), calls)


def worker_jobs(
    workers: int,
    options: AwsOptions,
    plan: FleetPlan,
    config: Config | str | Path | None,
    controls: tuple[str, ...],
    run_id: str,
) -> list[WorkerJob]:
    return [
        WorkerJob(
            w,
            options,
            replace(plan, shard=plan.shard.for_worker(w, workers)),
            config,
            controls,
            run_id,
        )
        for w in range(workers)
    ]


def _check_alive(processes: list[Any], finished: dict[int, FleetProgress]) -> None:
    for index, process in enumerate(processes):
        if index not in finished and not process.is_alive():
            raise AuditError(
                f"worker process {index} ended (exit code {process.exitcode}) before its "
                "accounts were scanned: the audit is incomplete"
            )


def _raise(message: tuple[Any, ...]) -> None:
    _, index, kind, text = message
    if kind == "UsageError":
        raise UsageError(text)
    if kind == "ConfigError":
        raise ConfigError(text)
    if kind in ("AuditError", "DynaguardError"):
        raise AuditError(text)
    raise AuditError(f"worker process {index} failed: {text}")


def _sum(parts: Any) -> FleetProgress:
    total = FleetProgress()
    for p in parts:
        total.units_done += p.units_done
        total.units_total += p.units_total
        total.tables_done += p.tables_done
        total.tables_total += p.tables_total
        total.accounts_done += p.accounts_done
    return total
