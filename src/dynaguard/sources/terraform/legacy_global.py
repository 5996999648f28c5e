"""aws_dynamodb_global_table (global tables version 2017.11.29) -> replicas of its tables.

The legacy resource only names the table and lists ``replica { region_name }`` blocks; each
replica is an ``aws_dynamodb_table`` of the same name, created through that region's provider.
A member is a table with that name in one of the listed regions: its replicas are the other
listed regions, each judged with the settings of the table declared there. So every listed
region is judged once, by DDB.010 and DDB.011, whatever member it hangs on.

What the code cannot tell is Unknown with the reason, never assumed compliant:

- a listed region without such a table (declared in another stack, or created by hand);
- a ``region_name`` that does not resolve;
- a same-named table whose provider has no region (which replica it is cannot be told);
- a global table whose ``name`` does not resolve: every table that could be a member (one in a
  listed region or of unknown region, without replicas of its own) gets Unknown replicas.

A same-named table in a region that is not listed is not a member and is left alone. When no
member at all is declared here, a stand-in table for the global table carries the replicas, so
they are still judged (Unknown); its own settings are Unknown too.
"""

from __future__ import annotations

from dataclasses import replace

from dynaguard.model import Fact, Known, Replica, Table, Unknown
from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.declared import UNKNOWN_REGION
from dynaguard.sources.iac.values import str_fact
from dynaguard.sources.terraform.context import TfContext

LEGACY_GLOBAL_TABLE = "2017.11.29"


def legacy_global_tables(tables: list[Table], ctx: TfContext) -> list[Table]:
    """``tables`` with the replicas every aws_dynamodb_global_table gives its members."""
    for block in ctx.of_type("aws_dynamodb_global_table"):
        tables = _apply(block, list(tables), ctx)
    return tables


def _listed(block: Block) -> list[Fact[str | None]]:
    return [str_fact(r, "region_name", None) for r in block.blocks("replica")]


def _is_candidate(table: Table, regions: list[str]) -> bool:
    """Could be a member: in a listed (or unknown) region, not a 2019 global table itself."""
    own = table.replicas
    if isinstance(own, Known) and own.value:
        return False
    return table.region in regions or table.region == UNKNOWN_REGION


def _apply(block: Block, tables: list[Table], ctx: TfContext) -> list[Table]:
    regions = _listed(block)
    listed = [r.value for r in regions if isinstance(r, Known) and r.value]
    name = str_fact(block, "name", None)
    if isinstance(name, Unknown) or not name.value:
        why = name.reason if isinstance(name, Unknown) else "name is not set"
        return _unnamed(block, tables, listed, why, ctx)
    named = [i for i, t in enumerate(tables) if t.name == name.value and _is_candidate(t, listed)]
    if not named:
        return [*tables, _stand_in(block, name.value, regions, ctx)]
    members = {tables[i].region: tables[i] for i in named if tables[i].region != UNKNOWN_REGION}
    for i in named:
        table = tables[i]
        replicas: Fact[tuple[Replica, ...]]
        if table.region == UNKNOWN_REGION:
            replicas = Unknown(
                f"{table.address or table.name} has the name of global table {block.address} "
                "but its provider sets no region: which of its replicas it is cannot be told "
                "offline",
                table.origin,
            )
        else:
            listed_here = _replicas(block, name.value, regions, members, table.region)
            replicas = Known(listed_here, block.origin)
        tables[i] = replace(table, replicas=replicas, global_table_version=LEGACY_GLOBAL_TABLE)
    return tables


def _replicas(
    block: Block,
    name: str,
    regions: list[Fact[str | None]],
    members: dict[str, Table],
    exclude: str,
) -> tuple[Replica, ...]:
    """One replica per listed region but ``exclude`` (the member's own region)."""
    out = []
    for region in regions:
        if isinstance(region, Unknown):
            why = Unknown(f"replica {region.reason}", region.origin or block.origin)
            out.append(_replica(block.address, UNKNOWN_REGION, why, block))
            continue
        if not region.value or region.value == exclude:
            continue
        member = members.get(region.value)
        if member is None:
            missing = Unknown(
                f"no aws_dynamodb_table named {name!r} is declared for {region.value} in "
                f"the scanned code (global table {block.address})",
                block.origin,
            )
            out.append(_replica(block.address, region.value, missing, block))
        else:
            out.append(
                Replica(
                    table_name=member.address or member.name,
                    region=region.value,
                    arn=None,
                    status=Known("DECLARED", member.origin),
                    encryption=member.encryption,
                    pitr=member.pitr,
                    origin=member.origin,
                )
            )
    return tuple(out)


def _replica(address: str, region: str, why: Unknown, block: Block) -> Replica:
    """A replica the code does not settle: its key and PITR are Unknown for ``why``."""
    return Replica(address, region, None, Known("DECLARED", block.origin), why, why, block.origin)


def _unnamed(
    block: Block, tables: list[Table], listed: list[str], why: str, ctx: TfContext
) -> list[Table]:
    regions = ", ".join(listed) or "unresolved regions"
    reason = Unknown(
        f"global table {block.address} lists replicas in {regions} but {why}: whether "
        "this table is one of them cannot be told offline",
        block.origin,
    )
    candidates = [i for i, t in enumerate(tables) if _is_candidate(t, listed)]
    if not candidates:
        stand_in = _stand_in(block, block.address, _listed(block), ctx)
        return [*tables, replace(stand_in, replicas=reason)]
    for i in candidates:
        tables[i] = replace(tables[i], replicas=reason, global_table_version=LEGACY_GLOBAL_TABLE)
    return tables


def _stand_in(block: Block, name: str, regions: list[Fact[str | None]], ctx: TfContext) -> Table:
    """The global table when none of its tables is declared here: everything Unknown."""
    region = ctx.region_of(block)
    replicas = _replicas(block, name, regions, {}, region)
    missing = Unknown(
        f"no aws_dynamodb_table named {name!r} is declared in the scanned code "
        f"(global table {block.address})",
        block.origin,
    )
    return Table(
        name=name,
        account_id=ctx.declared.account_id,
        region=region,
        origin=block.origin,
        status=Known("DECLARED", block.origin),
        billing_mode=missing,
        gsis=missing,
        encryption=missing,
        deletion_protection=missing,
        stream=missing,
        pitr=missing,
        ttl=missing,
        tags=missing,
        resource_policy=missing,
        stream_policy=missing,
        replicas=Known(replicas, block.origin),
        global_table_version=LEGACY_GLOBAL_TABLE,
        suppressions=block.suppressions,
        address=block.address,
    )
