"""``dynaguard harden --accounts ID,... --role-name NAME``: every account's plan, one prompt.

Each account's plan is printed under ``== account ID ==`` (an account that could not be read
says why instead), then one confirmation for all of them; each account is then applied as its
own journaled run. The result lists each account's outcomes and journal, and the summary line
counts accounts. Exit codes as harden: 0 all applied (or nothing to do), 1 a change failed or an
account could not be read, 2 cancelled, no terminal without --yes, or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from dynaguard.remediation.accounts import AccountHarden, AccountsHardenResult


def account_heading(account: AccountHarden) -> str:
    how = f"role {account.role_arn}" if account.role_arn else "the caller's credentials"
    return f"== account {account.account_id} ({how}) ==\n"


def render_plans(accounts: Sequence[AccountHarden], color: bool) -> str:
    """Every account's plan (or why there is none), one after another."""
    from dynaguard.remediation.render import render_plan
    from dynaguard.sanitize import clean_line

    text = ""
    for account in accounts:
        text += account_heading(account)
        if account.result is None:
            text += f"UNKNOWN: {clean_line(str(account.error))}: nothing planned or changed\n"
        else:
            text += render_plan(account.result.plan, color)
        text += "\n"
    return text


def render_results(result: AccountsHardenResult, color: bool) -> str:
    """Each account's outcomes and journal (or its error), then the summary line."""
    from dynaguard.remediation.render import render_outcomes
    from dynaguard.sanitize import clean_line

    text = ""
    for account in result.accounts:
        if account.result is None:
            text += account_heading(account)
            text += f"failed: {clean_line(str(account.error))}: nothing planned or changed\n"
        elif account.result.outcomes:
            text += account_heading(account)
            text += render_outcomes(account.result.outcomes, f"harden run {account.run_id}", color)
            text += f"journal: {account.result.journal}\n"
    if any(a.result is not None and a.result.outcomes for a in result.accounts):
        text += f"undo: dynaguard undo {result.run_id} (every account) or RUN_ID (one)\n"
    return text


def summary_line(result: AccountsHardenResult) -> str:
    counts = result.summary()
    accounts = f"{counts.pop('accounts')} account(s)"
    failed = counts.pop("accounts_failed")
    if failed:
        accounts += f" ({failed} could not be read)"
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    return f"summary: {accounts}: {parts or 'nothing to do'}\n"


def harden_accounts_command(
    args: argparse.Namespace,
    selection: Any,
    run_id: str,
    config: Any,
    *,
    options: Any,
    fixes: dict[str, Any],
    ask: Callable[[str], bool],
) -> tuple[str, int]:
    """Run ``harden`` over ``selection``'s accounts: (the result to emit, the exit code).
    ``options`` and ``fixes`` are the single-account command's; ``ask`` puts the question."""
    from dataclasses import replace

    from dynaguard.cli.commands import aws_options
    from dynaguard.remediation.accounts import harden_accounts

    as_json = args.format == "json"
    color = sys.stdout.isatty() and not args.no_color and not args.output

    def preview_and_ask(accounts: Sequence[AccountHarden]) -> bool:
        preview = render_plans(accounts, color and not as_json)
        if as_json:
            if not args.yes:
                sys.stderr.write(preview)
        else:
            sys.stdout.write(preview)
        changes = sum(len(a.result.plan.all_changes) for a in accounts if a.result)
        where = sum(1 for a in accounts if a.result and a.result.plan.all_changes)
        return ask(f"Apply {changes} change(s) in {where} account(s)?")

    result = harden_accounts(
        replace(aws_options(args), role_name=selection.role_name),
        selection,
        config=config,
        options=options,
        dry_run=args.dry_run,
        confirm=preview_and_ask,
        run_id=run_id,
        **fixes,
    )
    for account in result.accounts:
        for note in account.result.reconciled if account.result else ():
            print(f"dynaguard: account {account.account_id}: {note}", file=sys.stderr)
    if as_json:
        return json.dumps(result.to_dict(), indent=2) + "\n", result.exit_code
    if result.cancelled:
        text = "cancelled: nothing changed\n"
    elif result.dry_run or not result.planned:
        text = render_plans(result.accounts, color)
    else:
        text = render_results(result, color)
    return text + summary_line(result), result.exit_code
