"""Which resources a run is about: the one selection that scan, harden, undo and the library use.

``--table``, ``--prefix`` and ``--match`` select tables (with their replicas in every region).
Resources that are not tables are in scope only when asked for: DAX clusters by name
(``--dax-cluster``), or whole kinds with ``--include dax,iam,vpc,kms`` (``--all``: every kind).
With no filter at all, everything is selected. So ``scan --table orders`` judges the table
``orders`` and nothing else: a DAX, IAM or VPC finding never changes its exit code, and
``harden --prefix app-`` never touches a DAX cluster.

KMS keys (DDB.016) are found through the tables that use them, so ``--include kms`` judges the
keys of the selected tables (of every table when no table filter is given). A key that harden
creates for a table (``--create-key``) is in scope of that table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dynaguard.errors import UsageError
from dynaguard.model.facts import Known
from dynaguard.model.inventory import Inventory
from dynaguard.model.vocabulary import SubjectKind

# ``--include`` words -> kinds.
INCLUDE_WORDS: Mapping[str, SubjectKind] = {
    "table": SubjectKind.TABLE,
    "tables": SubjectKind.TABLE,
    "dax": SubjectKind.DAX_CLUSTER,
    "iam": SubjectKind.IAM_POLICY,
    "vpc": SubjectKind.VPC,
    "vpcs": SubjectKind.VPC,
    "kms": SubjectKind.KMS_KEY,
}
WORD_OF: Mapping[SubjectKind, str] = {
    SubjectKind.TABLE: "table",
    SubjectKind.DAX_CLUSTER: "dax",
    SubjectKind.IAM_POLICY: "iam",
    SubjectKind.VPC: "vpc",
    SubjectKind.KMS_KEY: "kms",
}
ALL_KINDS = frozenset(SubjectKind)
PLURALS: Mapping[SubjectKind, str] = {
    SubjectKind.TABLE: "tables",
    SubjectKind.DAX_CLUSTER: "DAX clusters",
    SubjectKind.VPC: "VPCs",
    SubjectKind.IAM_POLICY: "IAM policies",
    SubjectKind.KMS_KEY: "KMS keys",
}
# Resources harden creates for a table (a key, a backup plan): in scope of the table.
CREATED_FOR_TABLES = frozenset({"new_kms_key", "backup_plan"})


def parse_include(values: Iterable[str]) -> frozenset[SubjectKind]:
    """``["dax,iam", "kms"]`` -> kinds; ``all`` is every kind. An unknown word is a usage error."""
    kinds: set[SubjectKind] = set()
    for value in values:
        for word in (w.strip().lower() for w in value.split(",")):
            if not word:
                continue
            if word == "all":
                kinds |= ALL_KINDS
            elif word in INCLUDE_WORDS:
                kinds.add(INCLUDE_WORDS[word])
            else:
                raise UsageError(
                    f"--include {word!r}: not a resource kind "
                    "(choose from table, dax, iam, vpc, kms, all)"
                )
    return frozenset(kinds)


@dataclass(frozen=True, slots=True)
class Selection:
    """The resources a run is about. All given table filters must match a table's name.

    ``match`` is a regular expression searched in the name (anchor it with ``^...$`` for a
    whole-name match). ``include`` names kinds selected whole (every DAX cluster, every VPC...).
    """

    prefix: str | None = None
    match: str | None = None
    tables: tuple[str, ...] = ()
    dax_clusters: tuple[str, ...] = ()
    include: frozenset[SubjectKind] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.name_pattern()  # validate the regular expression early
        for name in (*self.tables, *self.dax_clusters):
            if not name.strip():
                raise UsageError("an empty resource name was given to --table / --dax-cluster")

    @classmethod
    def of(
        cls,
        *,
        prefix: str | None = None,
        match: str | None = None,
        tables: Iterable[str] = (),
        dax_clusters: Iterable[str] = (),
        include: Iterable[str] = (),
        all_kinds: bool = False,
    ) -> Selection:
        """From command-line style values (``include`` words, ``all_kinds`` for ``--all``)."""
        kinds = parse_include(include) | (ALL_KINDS if all_kinds else frozenset())
        return cls(
            prefix or None,
            match or None,
            tuple(dict.fromkeys(tables)),
            tuple(dict.fromkeys(dax_clusters)),
            kinds,
        )

    # -- what is selected -----------------------------------------------------------------

    @property
    def everything(self) -> bool:
        """No filter was given: every resource of every kind."""
        return not (self.has_table_filter or self.dax_clusters or self.include)

    @property
    def has_table_filter(self) -> bool:
        return bool(self.prefix or self.match or self.tables)

    def kinds(self) -> frozenset[SubjectKind]:
        """The kinds with at least one selected resource."""
        if self.everything:
            return ALL_KINDS
        kinds = set(self.include)
        if self.has_table_filter:
            kinds.add(SubjectKind.TABLE)
        if self.dax_clusters:
            kinds.add(SubjectKind.DAX_CLUSTER)
        return frozenset(kinds)

    def covers(self, kind: str) -> bool:
        """Whether any resource of ``kind`` is selected (created keys and plans: as tables)."""
        if kind in CREATED_FOR_TABLES:
            kind = SubjectKind.TABLE
        return kind in {k.value for k in self.kinds()}

    def name_pattern(self) -> re.Pattern[str] | None:
        """The compiled ``match`` expression, or None. A bad expression is a usage error."""
        if self.match is None:
            return None
        try:
            return re.compile(self.match)
        except re.error as exc:
            raise UsageError(f"invalid table name expression {self.match!r}: {exc}") from None

    def lists_table(self, name: str) -> bool:
        """Whether the table filters pass this name (which tables a listing keeps: the tables
        judged, and the tables whose keys are judged)."""
        if self.prefix and not name.startswith(self.prefix):
            return False
        pattern = self.name_pattern()
        if pattern is not None and not pattern.search(name):
            return False
        return not self.tables or name in self.tables

    def selects(self, kind: str, name: str) -> bool:
        """Whether the resource ``kind``/``name`` is in the selection (harden, undo)."""
        if not self.covers(kind):
            return False
        if kind == SubjectKind.TABLE:
            return self.lists_table(name)
        if kind == SubjectKind.DAX_CLUSTER and SubjectKind.DAX_CLUSTER not in self.include:
            return self.everything or name in self.dax_clusters
        return True

    def narrow(self, inventory: Inventory) -> Inventory:
        """The inventory without the DAX clusters the selection does not name (tables are
        already narrowed by the listing; other kinds are whole or not judged at all)."""
        if not self.dax_clusters or SubjectKind.DAX_CLUSTER in self.include:
            return inventory
        scopes = []
        for scope in inventory.regions:
            clusters = scope.dax_clusters
            if isinstance(clusters, Known):
                kept = tuple(c for c in clusters.value if c.name in self.dax_clusters)
                clusters = Known(kept, clusters.origin)
            scopes.append(replace(scope, dax_clusters=clusters))
        return replace(inventory, regions=tuple(scopes))

    def missing_dax_clusters(self, inventory: Inventory) -> list[str]:
        """Named DAX clusters found in no scanned region (when every region's list is known)."""
        if not self.dax_clusters:
            return []
        found: set[str] = set()
        for scope in inventory.regions:
            if not isinstance(scope.dax_clusters, Known):
                return []
            found.update(c.name for c in scope.dax_clusters.value)
        return sorted(set(self.dax_clusters) - found)

    # -- words ----------------------------------------------------------------------------

    def describe(self) -> str:
        """One line for plans, journals and messages."""
        if self.everything:
            return "every resource"
        parts = []
        if self.tables:
            parts.append("tables " + ", ".join(self.tables))
        if self.prefix:
            parts.append(f"tables starting with {self.prefix!r}")
        if self.match:
            parts.append(f"tables matching {self.match!r}")
        if self.dax_clusters and SubjectKind.DAX_CLUSTER not in self.include:
            parts.append("DAX clusters " + ", ".join(self.dax_clusters))
        if self.include:
            parts.append("all " + ", ".join(PLURALS[k] for k in sorted(self.include)))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The selection as data, each list sorted: equal selections give equal dicts (and so
        one config hash for every shard of a scan, however its filters were ordered)."""
        return {
            "prefix": self.prefix,
            "match": self.match,
            "tables": sorted(self.tables),
            "dax_clusters": sorted(self.dax_clusters),
            "include": sorted(k.value for k in self.include),
        }

    def excludes_message(self, control_id: str, kind: str) -> str:
        """Why a control named explicitly (``--controls``, ``--only``) cannot run."""
        resource = SubjectKind(kind)
        if resource is SubjectKind.TABLE:
            hint = "--table NAME, --prefix P, --match REGEX or --include table"
        elif resource is SubjectKind.DAX_CLUSTER:
            hint = "--dax-cluster NAME or --include dax"
        else:
            hint = f"--include {WORD_OF[resource]}"
        return (
            f"{control_id} judges {PLURALS[resource]}, which the selection "
            f"({self.describe()}) does not include: add {hint}"
        )
