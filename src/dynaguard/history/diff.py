"""What changed between two runs, finding by finding (same control, same resource).

- ``new``: failing now (FAIL or UNKNOWN) and not failing before (absent, or another status);
- ``resolved``: failing before and not now (PASS, NOT_APPLICABLE, SUPPRESSED, or gone: the
  resource or the control is no longer in the run);
- ``changed``: in both runs, neither new nor resolved, with another status or reason (a FAIL
  whose reason changed, PASS -> NOT_APPLICABLE, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.history.store import finding_key

FAILING = ("FAIL", "UNKNOWN")


@dataclass(frozen=True, slots=True)
class RunDiff:
    run_a: str
    run_b: str
    new: tuple[Mapping[str, Any], ...]
    resolved: tuple[Mapping[str, Any], ...]
    changed: tuple[Mapping[str, Any], ...]  # each: {"before": {...}, "after": {...}}
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "new": [dict(f) for f in self.new],
            "resolved": [dict(f) for f in self.resolved],
            "changed": [dict(c) for c in self.changed],
            "unchanged": self.unchanged,
        }

    def is_empty(self) -> bool:
        return not (self.new or self.resolved or self.changed)


def diff_findings(
    run_a: str,
    before: Iterable[Mapping[str, Any]],
    run_b: str,
    after: Iterable[Mapping[str, Any]],
) -> RunDiff:
    """Compare the findings of ``run_a`` (older) with those of ``run_b`` (newer)."""
    old = {finding_key(f): f for f in before}
    cur = {finding_key(f): f for f in after}
    new: list[Mapping[str, Any]] = []
    resolved: list[Mapping[str, Any]] = []
    changed: list[Mapping[str, Any]] = []
    unchanged = 0
    for key in sorted(old.keys() | cur.keys()):
        a, b = old.get(key), cur.get(key)
        was_failing = a is not None and a["status"] in FAILING
        is_failing = b is not None and b["status"] in FAILING
        if b is not None and is_failing and not was_failing:
            new.append(b)
        elif a is not None and was_failing and not is_failing:
            resolved.append(_gone(a) if b is None else b)
        elif a is not None and b is not None:
            if (a["status"], a.get("reason")) != (b["status"], b.get("reason")):
                changed.append({"before": a, "after": b})
            else:
                unchanged += 1
    return RunDiff(run_a, run_b, tuple(new), tuple(resolved), tuple(changed), unchanged)


def _gone(finding: Mapping[str, Any]) -> dict[str, Any]:
    return {**finding, "status": "GONE", "reason": f"no longer reported ({finding['reason']})"}
