"""Command-line options of multi-account work: accounts, roles, shards, pacing."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dynaguard.errors import UsageError

if TYPE_CHECKING:  # imported where used: building the parser must not load boto3
    from dynaguard.sources.aws.org import AccountSelection
    from dynaguard.sources.aws.units import ShardSpec

# Requests per second per (account, region) when a scan spans several accounts.
FAN_OUT_RATE_LIMIT = 100.0


def add_org_options(p: argparse.ArgumentParser, *, scan: bool) -> None:
    """The accounts (``--org``, ``--ou``, ``--accounts``, ``--exclude-accounts``) and the role
    (``--role-name``) of scan and harden; the shard and pacing options only for ``scan``."""
    g = p.add_argument_group("accounts (AWS Organizations)")
    g.add_argument(
        "--org",
        action="store_true",
        help="every ACTIVE account of the organization (from the management or a "
        "delegated administrator account)"
        if scan
        else argparse.SUPPRESS,  # harden refuses it: only accounts listed one by one
    )
    g.add_argument(
        "--ou",
        metavar="OU,...",
        help="with --org: only accounts under these OUs" if scan else argparse.SUPPRESS,
    )
    g.add_argument(
        "--accounts",
        metavar="ID,...",
        help="these accounts (with --org: only these of the organization)",
    )
    g.add_argument("--exclude-accounts", metavar="ID,...", help="skip these accounts")
    g.add_argument(
        "--role-name",
        metavar="NAME",
        help="role assumed in every other account (arn:<partition>:iam::<account>:role/NAME)",
    )
    if not scan:
        return
    s = p.add_argument_group("shards and pacing")
    s.add_argument(
        "--shard",
        metavar="K/N",
        help="scan shard K of N (0 <= K < N) of the (account, region) units",
    )
    s.add_argument(
        "--shards",
        type=int,
        metavar="N",
        help="number of shards; K from AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX",
    )
    s.add_argument(
        "--shard-weights",
        metavar="REPORT",
        help="a previous report (JSON): balance shards by its tables per unit",
    )
    s.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local processes for --org/--accounts scans (default: the number of CPUs)",
    )
    s.add_argument(
        "--rate-limit",
        type=float,
        metavar="N",
        help="requests per second per account and region (default: "
        f"{FAN_OUT_RATE_LIMIT:g} with --org/--accounts, unbounded for one account; 0: none)",
    )


def account_selection(args: argparse.Namespace) -> AccountSelection:
    """The accounts the options select."""
    from dynaguard.sources.aws.org import AccountSelection, parse_account_ids

    selection = AccountSelection(
        org=bool(getattr(args, "org", False)),
        accounts=parse_account_ids(getattr(args, "accounts", None)),
        exclude=parse_account_ids(getattr(args, "exclude_accounts", None)),
        ous=tuple(o.strip() for o in (getattr(args, "ou", None) or "").split(",") if o.strip()),
        role_name=getattr(args, "role_name", None),
    )
    if getattr(args, "exclude_accounts", None) and not selection.fan_out:
        raise UsageError("--exclude-accounts needs --org or --accounts")
    if selection.role_name and not selection.fan_out:
        raise UsageError("--role-name is used with --org or --accounts (one account: --role-arn)")
    return selection


def rate_limit(args: argparse.Namespace, selection: AccountSelection) -> float:
    value = getattr(args, "rate_limit", None)
    if value is None:
        return FAN_OUT_RATE_LIMIT if selection.fan_out else 0.0
    if value < 0:
        raise UsageError("--rate-limit must be 0 (none) or positive")
    return float(value)


def shard_spec(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> ShardSpec:
    from dynaguard.sources.aws.units import ShardSpec, shard_from

    if getattr(args, "shards", None) is not None and args.shards < 1:
        raise UsageError("--shards must be at least 1")
    found = shard_from(args.shard, args.shards, os.environ if environ is None else environ)
    if found is None:
        if args.shard_weights:
            raise UsageError("--shard-weights is used with --shard or --shards")
        return ShardSpec()
    weights = load_weights(Path(args.shard_weights)) if args.shard_weights else {}
    return ShardSpec(found[0], found[1], weights)


def load_weights(path: Path) -> dict[str, float]:
    """Tables per unit from a previous report's ``stats.unit_tables`` (empty units weigh 1:
    they still cost their region-wide reads)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--shard-weights {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"--shard-weights {path}: not JSON ({exc})") from None
    units = data.get("stats", {}).get("unit_tables") if isinstance(data, dict) else None
    if not isinstance(units, dict):
        raise UsageError(f"--shard-weights {path}: no stats.unit_tables (a dynaguard scan report)")
    out = {}
    for key, tables in units.items():
        if not isinstance(tables, int) or tables < 0:
            raise UsageError(f"--shard-weights {path}: stats.unit_tables[{key!r}] is not a count")
        out[str(key)] = float(tables + 1)
    return out


def workers(args: argparse.Namespace, selection: AccountSelection) -> int:
    """Local worker processes: the CPUs for a multi-account scan, 1 for one account."""
    value = getattr(args, "workers", None)
    if value is not None and value < 1:
        raise UsageError("--workers must be at least 1")
    if not selection.fan_out:
        if value not in (None, 1):
            raise UsageError("--workers is for --org / --accounts scans")
        return 1
    return int(value) if value is not None else max(1, os.cpu_count() or 1)
