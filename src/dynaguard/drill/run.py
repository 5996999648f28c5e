"""One restore drill: plan, confirm, restore, wait, verify, measure, delete, record.

RPO is the age of the restore point when the restore was requested; RTO is the time from the
request until the scratch table is ACTIVE. Both are judged against ``drill.rpo_target_minutes``
and ``drill.rto_target_minutes``. The scratch table is restored on-demand (no capacity to
plan) with the source's encryption, so the encryption check compares like with like.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.config import Config
from dynaguard.drill import verify
from dynaguard.drill.names import scratch_name
from dynaguard.drill.recovery import delete_leftovers, leftovers
from dynaguard.errors import UsageError
from dynaguard.remediation.journal import Journal
from dynaguard.sources.aws.session import AwsSession

EXIT_OK, EXIT_FAILED, EXIT_CANCELLED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class DrillRequest:
    table: str
    region: str
    at: dt.datetime | None = None  # None: the latest restorable time
    keep: bool = False
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class DrillTiming:
    poll_s: float = 5.0
    poll_max_s: float = 30.0
    timeout_s: float = 6 * 3600.0  # a large table restores for hours


@dataclass(frozen=True, slots=True)
class DrillResult:
    run_id: str
    table: str
    region: str
    scratch_table: str
    outcome: str  # planned | cancelled | succeeded | failed
    restore_point: str | None = None
    rpo_seconds: float | None = None
    rto_seconds: float | None = None
    checks: tuple[verify.Check, ...] = ()
    deleted: bool = False
    kept: bool = False
    error: str | None = None
    cost_usd: float | None = None
    cost_basis: str = ""
    cleaned_up: tuple[str, ...] = ()
    left_behind: tuple[str, ...] = ()
    journal: str | None = None
    targets: Mapping[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.outcome == "cancelled":
            return EXIT_CANCELLED
        return EXIT_FAILED if self.outcome == "failed" else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": "drill",
            "table": self.table,
            "region": self.region,
            "scratch_table": self.scratch_table,
            "outcome": self.outcome,
            "restore_point": self.restore_point,
            "rpo_seconds": self.rpo_seconds,
            "rto_seconds": self.rto_seconds,
            "targets_seconds": dict(self.targets),
            "checks": [c.to_dict() for c in self.checks],
            "scratch_deleted": self.deleted,
            "scratch_kept": self.kept,
            "error": self.error,
            "cost_usd": self.cost_usd,
            "cost_basis": self.cost_basis,
            "cleaned_up": list(self.cleaned_up),
            "left_behind": list(self.left_behind),
            "journal": self.journal,
            "exit_code": self.exit_code,
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def sse_override(desc: Mapping[str, Any]) -> dict[str, Any]:
    """Restore with the source's own encryption (owned key, AWS managed key, or its CMK)."""
    sse = desc.get("SSEDescription") or {}
    if sse.get("SSEType") != "KMS" and not sse.get("KMSMasterKeyArn"):
        return {"Enabled": False}
    arn = sse.get("KMSMasterKeyArn")
    return {"Enabled": True, "SSEType": "KMS", **({"KMSMasterKeyId": arn} if arn else {})}


def _restore_window(client: Any, table: str) -> tuple[dt.datetime, dt.datetime]:
    pitr = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    desc = pitr.get("PointInTimeRecoveryDescription") or {}
    if desc.get("PointInTimeRecoveryStatus") != "ENABLED":
        raise DrillFailed(f"point-in-time recovery is off on {table}: there is nothing to restore")
    return desc["EarliestRestorableDateTime"], desc["LatestRestorableDateTime"]


class DrillFailed(Exception):
    """The drill could not restore or verify; the message says why."""


@dataclass(slots=True)
class _Drill:
    """The state of one running drill (mutable while it runs, frozen into a DrillResult)."""

    request: DrillRequest
    session: AwsSession
    config: Config
    state_dir: Path
    run_id: str
    timing: DrillTiming
    result: DrillResult
    journal: Journal | None = None
    account_id: str = ""

    @property
    def client(self) -> Any:
        return self.session.client("dynamodb", self.request.region)

    def update(self, **changes: Any) -> None:
        self.result = replace(self.result, **changes)


def run_drill(
    request: DrillRequest,
    session: AwsSession,
    config: Config,
    state_dir: Path,
    *,
    run_id: str,
    confirm: Callable[[DrillResult], bool] | None = None,
    timing: DrillTiming | None = None,
) -> DrillResult:
    """Run (or with ``dry_run`` only plan) one drill; ``confirm`` sees the plan first."""
    targets = {
        "rpo": config.drill.rpo_target_minutes * 60,
        "rto": config.drill.rto_target_minutes * 60,
    }
    planned = DrillResult(
        run_id,
        request.table,
        request.region,
        scratch_name(request.table),
        "planned",
        targets=targets,
    )
    drill = _Drill(request, session, config, state_dir, run_id, timing or DrillTiming(), planned)
    drill.account_id = session.account_id()
    try:
        source, restore_point = _plan(drill)
    except DrillFailed as exc:
        return replace(drill.result, outcome="failed", error=str(exc))
    if request.dry_run:
        return drill.result
    if confirm is not None and not confirm(drill.result):
        return replace(drill.result, outcome="cancelled")
    _clean_up_earlier(drill)
    drill.journal = Journal(state_dir, run_id)
    drill.journal.start("drill", table=request.table, region=request.region)
    drill.update(journal=str(drill.journal.path))
    try:
        _restore_and_verify(drill, source, restore_point)
    except (DrillFailed, ClientError, BotoCoreError) as exc:
        drill.update(outcome="failed", error=str(exc))
    finally:
        _dispose(drill)
    _record(drill)
    drill.journal.finish({"outcome": drill.result.outcome})
    return drill.result


def _plan(drill: _Drill) -> tuple[Mapping[str, Any], dt.datetime | None]:
    """Read the source and its restore window; the restore point and the cost estimate."""
    request, client = drill.request, drill.client
    try:
        source = client.describe_table(TableName=request.table)["Table"]
        earliest, latest = _restore_window(client, request.table)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            raise UsageError(f"table {request.table} not found in {request.region}") from None
        if code == "ValidationException":
            raise UsageError(f"table {request.table!r}: {exc}") from None
        raise DrillFailed(f"cannot read {request.table}: {exc}") from None
    except BotoCoreError as exc:
        raise DrillFailed(f"cannot read {request.table} in {request.region}: {exc}") from None
    at = request.at
    if at is not None and not earliest <= at <= latest:
        raise UsageError(
            f"--at {_iso(at)} is outside the restorable window of {request.table}: "
            f"{_iso(earliest)} to {_iso(latest)}"
        )
    point = at or latest
    size = int(source.get("TableSizeBytes") or 0)
    usd, basis = _cost(drill, size)
    pending = [f"{x.table} ({x.region})" for x in leftovers(drill.state_dir)]
    drill.update(
        restore_point=_iso(point),
        cost_usd=usd,
        cost_basis=basis,
        left_behind=tuple(f"would delete {p}, left by an earlier drill" for p in pending),
    )
    return source, at


def _cost(drill: _Drill, size_bytes: int) -> tuple[float | None, str]:
    from dynaguard.cost.estimate import GIB
    from dynaguard.cost.plans import costing_for
    from dynaguard.cost.prices import UnknownRegionPrice

    prices = costing_for(drill.config).prices
    try:
        rate = prices.price(drill.request.region, "restore_gb")
    except UnknownRegionPrice as exc:
        return None, f"not estimated: {exc}"
    gb = size_bytes / GIB
    return round(gb * rate, 4), (
        f"restore of {gb:.3f} GB x ${rate:g} per GB, plus the on-demand scratch table's reads "
        f"and storage for the drill's duration; {prices.label()}"
    )


def _clean_up_earlier(drill: _Drill) -> None:
    done, left = delete_leftovers(
        drill.state_dir,
        lambda region: drill.session.client("dynamodb", region),
        drill.account_id,
        drill.run_id,
        drill.timing.poll_s,
        drill.timing.timeout_s,
    )
    drill.update(cleaned_up=tuple(done), left_behind=tuple(left))


def _restore_and_verify(drill: _Drill, source: Mapping[str, Any], at: dt.datetime | None) -> None:
    request, client, journal = drill.request, drill.client, drill.journal
    assert journal is not None
    scratch = drill.result.scratch_table
    params: dict[str, Any] = {
        "SourceTableName": request.table,
        "TargetTableName": scratch,
        "BillingModeOverride": "PAY_PER_REQUEST",
        "SSESpecificationOverride": sse_override(source),
    }
    if at is None:
        params["UseLatestRestorableTime"] = True
    else:
        params["RestoreDateTime"] = at
    journal.write(
        "restore_requested",
        scratch_table=scratch,
        region=request.region,
        account_id=drill.account_id,
        params=params,
    )
    requested = _now()
    response = client.restore_table_to_point_in_time(**params)
    summary = (response.get("TableDescription") or {}).get("RestoreSummary") or {}
    point = at or summary.get("RestoreDateTime")  # the time asked for, or the one AWS used
    restored = _wait_active(drill, scratch)
    rto = (_now() - requested).total_seconds()
    # The restore point is at most "now": a clock ahead of ours (or an emulator that stamps
    # the request time) must not make the RPO negative.
    rpo = max(0.0, (requested - point).total_seconds()) if isinstance(point, dt.datetime) else None
    journal.write("restored", scratch_table=scratch, rto_seconds=rto, rpo_seconds=rpo)
    limiter = verify.ReadLimiter(drill.config.drill.read_units_per_second)
    checks = verify.structure_checks(source, restored)
    checks.append(verify.count_check(client, request.table, scratch, limiter))
    checks.append(
        verify.sample_check(client, source, scratch, drill.config.drill.sample_items, limiter)
    )
    checks += _targets(rpo, rto, drill.result.targets)
    journal.write("verified", checks=[c.to_dict() for c in checks])
    failed = any(c.status == verify.FAIL for c in checks)
    drill.update(
        restore_point=_iso(point) if isinstance(point, dt.datetime) else drill.result.restore_point,
        rpo_seconds=round(rpo, 1) if rpo is not None else None,
        rto_seconds=round(rto, 1),
        checks=tuple(checks),
        outcome="failed" if failed else "succeeded",
    )


def _targets(rpo: float | None, rto: float, targets: Mapping[str, float]) -> list[verify.Check]:
    out = []
    if rpo is None:
        out.append(verify.Check("RPO", verify.FAIL, "the restore point was not reported"))
    else:
        ok = rpo <= targets["rpo"]
        out.append(
            verify.Check(
                "RPO",
                verify.PASS if ok else verify.FAIL,
                f"{rpo / 60:.1f} min (target {targets['rpo'] / 60:g} min)",
            )
        )
    ok = rto <= targets["rto"]
    out.append(
        verify.Check(
            "RTO",
            verify.PASS if ok else verify.FAIL,
            f"{rto / 60:.1f} min (target {targets['rto'] / 60:g} min)",
        )
    )
    return out


def _wait_active(drill: _Drill, table: str) -> Mapping[str, Any]:
    deadline = time.monotonic() + drill.timing.timeout_s
    delay = drill.timing.poll_s
    while True:
        desc: Mapping[str, Any] = drill.client.describe_table(TableName=table)["Table"]
        indexes = desc.get("GlobalSecondaryIndexes") or ()
        if desc.get("TableStatus") == "ACTIVE" and all(
            i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes
        ):
            return desc
        if time.monotonic() + delay > deadline:
            raise DrillFailed(
                f"{table} not ACTIVE after {drill.timing.timeout_s:g} s "
                f"({desc.get('TableStatus')}); it is journaled and the next drill deletes it"
            )
        time.sleep(delay)
        delay = min(drill.timing.poll_max_s, delay * 2)


def _dispose(drill: _Drill) -> None:
    """Delete the scratch table (unless kept); a failure leaves it journaled for the next run."""
    journal = drill.journal
    assert journal is not None
    scratch = drill.result.scratch_table
    if drill.request.keep:
        journal.write("kept", scratch_table=scratch)
        drill.update(kept=True)
        return
    try:
        drill.client.delete_table(TableName=scratch)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            drill.update(
                left_behind=(*drill.result.left_behind, f"{scratch}: delete failed: {exc}")
            )
            return
    except BotoCoreError as exc:
        drill.update(left_behind=(*drill.result.left_behind, f"{scratch}: {exc}"))
        return
    journal.write("scratch_deleted", scratch_table=scratch, by_run=drill.run_id)
    drill.update(deleted=True)


def _record(drill: _Drill) -> None:
    """The drill's result in the history store (``restore_drill`` events)."""
    from dynaguard.history import open_history

    with open_history(drill.state_dir) as store:
        store.record_event("restore_drill", drill.result.to_dict(), run_id=drill.run_id)
