"""What a control is: metadata plus one pure function of the model.

A control never calls AWS or reads files. It declares the *facts* it needs (so collectors fetch
only those) and the *subject kind* it judges (table, dax_cluster, vpc, iam_policy, kms_key).
Its check returns one Verdict, or several (a table control judging each global-table replica).
The shared words (Status, Severity, SubjectKind, FACTS) live in ``dynaguard.model.vocabulary``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from dynaguard.model import AccountScope, Origin, RegionScope

# The vocabulary moved to the model: these names stay importable from here only until the
# branches written against the old path have merged (then these lines go).
from dynaguard.model.vocabulary import FACTS as FACTS  # noqa: PLC0414
from dynaguard.model.vocabulary import Severity as Severity  # noqa: PLC0414
from dynaguard.model.vocabulary import Status as Status  # noqa: PLC0414
from dynaguard.model.vocabulary import SubjectKind

if TYPE_CHECKING:
    from dynaguard.config import Baseline


@dataclass(frozen=True, slots=True)
class Subject:
    """What a verdict is about, as it appears in a finding."""

    resource_type: str  # table | replica | dax_cluster | iam_policy | vpc | kms_key
    resource_id: str
    account_id: str
    region: str
    arn: str | None = None
    origin: Origin | None = None
    # Inline suppressions from infrastructure code: (control_id, reason).
    suppressions: tuple[tuple[str, str], ...] = ()
    # A replica's: the region of the table it replicates, where its fixes are made
    # (UpdateTable ReplicaUpdates is called there).
    table_region: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str
    subject: Subject | None = None  # None: the subject the control was asked to judge
    evidence: Origin | None = None
    severity: Severity | None = None  # None: the control's (a FAIL that matters less or more)


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a check may look at besides its subject. Read-only."""

    scope: RegionScope
    account: AccountScope | None
    baseline: Baseline


# The subject a check judges: Table, DaxCluster, Vpc, IamPolicy or KeyUse (controls/subjects.py).
S = TypeVar("S")
# A control's pure function: its subject and the context -> one verdict, or several (a table
# control judging each global-table replica).
CheckFn = Callable[[S, Context], "Verdict | Iterable[Verdict]"]


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    severity: Severity
    subject_kind: SubjectKind
    facts: frozenset[str]
    rationale: str
    remediation: str
    check: CheckFn[Any]  # the registry checked it against the subject type it declared
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def evaluate(self, subject: object, ctx: Context) -> list[Verdict]:
        result = self.check(subject, ctx)
        if isinstance(result, Verdict):
            return [result]
        return list(result)


def passed(reason: str, evidence: Origin | None = None) -> Verdict:
    return Verdict(Status.PASS, reason, evidence=evidence)


def failed(
    reason: str, evidence: Origin | None = None, severity: Severity | None = None
) -> Verdict:
    return Verdict(Status.FAIL, reason, evidence=evidence, severity=severity)


def unknown(reason: str, evidence: Origin | None = None) -> Verdict:
    return Verdict(Status.UNKNOWN, reason, evidence=evidence)


def not_applicable(reason: str, evidence: Origin | None = None) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, reason, evidence=evidence)
