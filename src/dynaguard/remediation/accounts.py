"""``harden --accounts`` / ``--org``: one journaled harden run per account, one confirmation
for all.

    result = harden_accounts(AwsOptions(regions=("us-east-1",)),
                             AccountSelection(accounts=("111122223333", "444455556666"),
                                              role_name="dynaguard-harden"),
                             confirm=lambda accounts: True)

The caller's own account is changed with the caller's credentials, every other one through
``arn:<partition>:iam::<account>:role/<role name>`` (AssumeRole with the external id). Every
account gets the same fixes and the same resource selection. All accounts are read and planned
first (one after another); the plans are shown together and confirmed once; then each account's
plan is applied as its own run, ``<run id>-<account>``, journaled with the account, the role
and the batch (``<run id>``) so that ``undo <run id>`` restores every account and ``undo
<run id>-<account>`` one. An account whose role cannot be assumed (or whose identity cannot be
read) is reported with the reason and counts as failed (exit 1): nothing is planned or changed
there, and the other accounts go ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.config import Config
from dynaguard.engine import new_run_id, resolve_config
from dynaguard.errors import AuditError, UsageError
from dynaguard.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from dynaguard.remediation.base import Options, Remediation
from dynaguard.remediation.executor import FAILED
from dynaguard.remediation.harden import (
    HardenResult,
    Prepared,
    apply_prepared,
    choose,
    prepare,
)
from dynaguard.remediation.journal import default_state_dir
from dynaguard.remediation.steps import Timing
from dynaguard.sources.aws.member import MemberSession
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.org import AccountSelection, AccountTarget, resolve_targets
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.session import AwsSession


def account_run_id(run_id: str, account_id: str) -> str:
    """The run (and journal) of one account in a multi-account harden or undo."""
    return f"{run_id}-{account_id}"


@dataclass(frozen=True, slots=True)
class AccountHarden:
    """One account of a multi-account harden: its run, or why it could not be read."""

    account_id: str
    role_arn: str | None  # None: the caller's own credentials
    run_id: str
    result: HardenResult | None = None
    error: str | None = None  # nothing planned or changed in the account, and why

    @property
    def failed(self) -> bool:
        """The account could not be read, or one of its changes failed."""
        if self.error is not None or self.result is None:
            return True
        return any(o.status == FAILED for o in self.result.outcomes)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "account_id": self.account_id,
            "role_arn": self.role_arn,
            "run_id": self.run_id,
            "error": self.error,
        }
        if self.result is not None:
            body = self.result.to_dict()
            for key in ("journal", "summary", "plan", "results", "reconciled", "exit_code"):
                data[key] = body[key]
        return data


@dataclass(frozen=True, slots=True)
class AccountsHardenResult:
    """Every account's run; the exit code is harden's over all of them."""

    run_id: str  # the batch: each account's run is ``<run_id>-<account>``
    accounts: tuple[AccountHarden, ...]
    dry_run: bool = False
    cancelled: bool = False

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return EXIT_CANCELLED
        return EXIT_FAILED if any(a.failed for a in self.accounts) else EXIT_OK

    @property
    def planned(self) -> int:
        return sum(len(a.result.plan.all_changes) for a in self.accounts if a.result)

    def summary(self) -> dict[str, int]:
        totals: dict[str, int] = {"accounts": len(self.accounts)}
        totals["accounts_failed"] = sum(1 for a in self.accounts if a.error is not None)
        for account in self.accounts:
            if account.result is not None:
                for key, value in account.result.summary().items():
                    totals[key] = totals.get(key, 0) + value
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "dynaguard", "version": __version__},
            "run_id": self.run_id,
            "command": "harden",
            "dry_run": self.dry_run,
            "cancelled": self.cancelled,
            "summary": self.summary(),
            "accounts": [a.to_dict() for a in self.accounts],
            "exit_code": self.exit_code,
        }


@dataclass(frozen=True, slots=True)
class _Opened:
    target: AccountTarget
    run_id: str
    prepared: Prepared | None = None
    error: str | None = None


def refuse_whole_organization(org: bool, ous: object) -> None:
    """Harden changes only accounts named one by one (issue 12's rule: no ``harden --org``), so
    one command never changes a whole organization."""
    if org or ous:
        raise UsageError(
            "harden changes only the accounts listed with --accounts, never a whole "
            "organization (no --org / --ou): list them, e.g. from a scan --org report"
        )


def harden_accounts(
    aws_options: AwsOptions,
    selection: AccountSelection,
    *,
    config: Config | str | Path | None = None,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    shortcuts: Iterable[str] = (),
    options: Options | None = None,
    dry_run: bool = False,
    confirm: Callable[[Sequence[AccountHarden]], bool] | None = None,
    state_dir: Path | None = None,
    run_id: str | None = None,
    recorder: CallRecorder | None = None,
    timing: Timing | None = None,
    concurrency: int = 4,
    remediations: Sequence[Remediation] | None = None,
) -> AccountsHardenResult:
    """Read and plan every account of ``selection`` (its ``accounts``, less ``exclude``, with
    ``role_name``), ask ``confirm`` once with every plan, then apply account by account. A
    usage error in any account (a configured key that does not exist there, ...) stops the run
    before anything changed, naming the account. Only accounts named one by one are hardened:
    a selection of the whole organization (``org`` / ``ous``) is refused."""
    refuse_whole_organization(selection.org, selection.ous)
    if not selection.fan_out:
        raise UsageError("harden_accounts needs accounts: --accounts")
    cfg = resolve_config(config)
    run_id = run_id or new_run_id()
    opts = options or Options(settings=cfg.harden)
    chosen, opt_in = choose(cfg, aws_options, only, skip, shortcuts, remediations)
    state = state_dir or default_state_dir()
    base = AwsSession(aws_options, run_id, recorder)
    opened = [
        _open(base, target, aws_options, cfg, (chosen, opt_in), opts, state, run_id, timing)
        for target in resolve_targets(base, selection)
    ]
    planned = tuple(_planned(o, dry_run) for o in opened)
    result = AccountsHardenResult(run_id, planned, dry_run=dry_run)
    if dry_run or not result.planned:
        return result
    if confirm is not None and not confirm(planned):
        return AccountsHardenResult(run_id, planned, cancelled=True)
    applied = []
    for account, one in zip(planned, opened, strict=True):
        if one.prepared is None or not one.prepared.plan.all_changes:
            applied.append(account)
            continue
        outcome = apply_prepared(
            one.prepared,
            aws_options,
            state=state,
            run_id=one.run_id,
            concurrency=concurrency,
            batch=run_id,
        )
        applied.append(AccountHarden(account.account_id, account.role_arn, one.run_id, outcome))
    return AccountsHardenResult(run_id, tuple(applied))


def _open(
    base: AwsSession,
    target: AccountTarget,
    aws_options: AwsOptions,
    cfg: Config,
    fixes: tuple[Sequence[Remediation], Sequence[Remediation]],
    opts: Options,
    state: Path,
    run_id: str,
    timing: Timing | None,
) -> _Opened:
    """Reach one account and plan it; an account that cannot be reached is an error value."""
    account_run = account_run_id(run_id, target.account_id)
    chosen, opt_in = fixes
    try:
        session = (
            base
            if target.role_arn is None
            else MemberSession(base, target.account_id, target.role_arn)
        )
        prepared = prepare(
            session,
            aws_options,
            cfg,
            chosen,
            opts,
            state=state,
            run_id=account_run,
            timing=timing,
            role_arn=target.role_arn or aws_options.role_arn,
            opt_in=opt_in,
        )
    except AuditError as err:
        return _Opened(target, account_run, error=str(err))
    except UsageError as err:
        raise UsageError(f"account {target.account_id}: {err}") from None
    return _Opened(target, account_run, prepared)


def _planned(opened: _Opened, dry_run: bool) -> AccountHarden:
    target = opened.target
    role = target.role_arn
    if opened.prepared is None:
        return AccountHarden(target.account_id, role, opened.run_id, error=opened.error)
    prepared = opened.prepared
    result = HardenResult(
        opened.run_id, prepared.plan, dry_run=dry_run, reconciled=prepared.reconciled
    )
    return AccountHarden(target.account_id, role, opened.run_id, result)
