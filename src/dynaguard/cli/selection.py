"""The resource filters of scan, harden and undo: one set of options, one Selection."""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: building the parser loads no model
    from dynaguard.model.selection import Selection

SELECTION_HELP = textwrap.fill(
    "--table, --prefix and --match select tables (and their replicas); other resources are "
    "in scope only when named (--dax-cluster) or included (--include, --all). With no filter, "
    "everything is selected.",
    76,
)


def add_selection_options(group: Any) -> None:
    """Add the filters to an argparse parser or argument group."""
    group.add_argument("--prefix", help="only tables whose name starts with PREFIX")
    group.add_argument("--match", metavar="REGEX", help="only tables whose name matches REGEX")
    group.add_argument(
        "--table", action="append", default=[], metavar="NAME", help="only this table (repeatable)"
    )
    group.add_argument(
        "--dax-cluster",
        action="append",
        default=[],
        metavar="NAME",
        help="this DAX cluster (repeatable)",
    )
    group.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="KINDS",
        help="whole kinds of resource: table, dax, iam, vpc, kms (comma-separated)",
    )
    group.add_argument(
        "--all",
        dest="all_kinds",
        action="store_true",
        help="every kind of resource (table filters still narrow the tables)",
    )


def selection_from_args(args: argparse.Namespace) -> Selection:
    from dynaguard.model.selection import Selection

    return Selection.of(
        prefix=args.prefix,
        match=args.match,
        tables=args.table,
        dax_clusters=args.dax_cluster,
        include=args.include,
        all_kinds=args.all_kinds,
    )
