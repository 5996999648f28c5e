"""Which remediations a harden run uses: defaults, opt-ins, --only, --skip and the shortcuts,
narrowed to the kinds of resource the run's Selection covers."""

from __future__ import annotations

from collections.abc import Iterable

from dynaguard.config import Config
from dynaguard.errors import UsageError
from dynaguard.remediation.base import Remediation
from dynaguard.remediation.registry import all_remediations
from dynaguard.selection import Selection

SHORTCUTS = {
    "no_pitr": ("DDB.002", "DDB.011"),
    "no_deletion_protection": ("DDB.003",),
    "no_encryption": ("DDB.001", "DDB.010"),
}


def _ids(values: Iterable[str]) -> list[str]:
    out = [v.strip().upper() for value in values for v in value.split(",") if v.strip()]
    known = {r.control_id for r in all_remediations()}
    bad = [c for c in out if c not in known]
    if bad:
        raise UsageError(f"unknown control id(s): {', '.join(bad)} (see 'dynaguard controls')")
    return out


def _dropped(skip: Iterable[str], shortcuts: Iterable[str]) -> set[str]:
    """The control ids ``--skip`` and the shortcut flags (``--no-...``) leave out."""
    dropped = set(_ids(skip))
    for name in shortcuts:
        dropped.update(SHORTCUTS[name])
    return dropped


def select_remediations(
    config: Config,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    shortcuts: Iterable[str] = (),
    selection: Selection | None = None,
) -> list[Remediation]:
    """``only`` names exactly what to fix (opt-in ones included); otherwise every enabled
    control's remediation except the opt-in ones the config does not name. Only remediations
    of the kinds ``selection`` covers are kept; one named in ``only`` outside it is an error."""
    wanted = set(_ids(only))
    dropped = _dropped(skip, shortcuts)
    chosen = []
    for rem in all_remediations():
        settings = config.controls.get(rem.control_id)
        if wanted:
            keep = rem.control_id in wanted
        else:
            enabled = settings is None or settings.enabled
            keep = enabled and (not rem.opt_in or rem.control_id in config.harden.opt_in)
        if not keep or rem.control_id in dropped:
            continue
        if selection is not None and not selection.covers(rem.subject):
            if rem.control_id in wanted:
                raise UsageError(selection.excludes_message(rem.control_id, rem.subject))
            continue
        chosen.append(rem)
    if not chosen:
        raise UsageError("nothing to harden: every control was excluded")
    return chosen


def opt_in_left_out(
    config: Config,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    shortcuts: Iterable[str] = (),
    selection: Selection | None = None,
) -> list[Remediation]:
    """The opt-in remediations a run leaves out only because they are opt-in: enabled, in
    the selection, not skipped, but neither in ``harden.opt_in`` nor named by ``--only``. Their
    controls are still judged, so the plan can list their FAILs as "not fixed (opt-in)" rather
    than say nothing about them. Empty when ``only`` names what to fix: the user chose."""
    if set(_ids(only)):
        return []
    dropped = _dropped(skip, shortcuts)
    out = []
    for rem in all_remediations():
        settings = config.controls.get(rem.control_id)
        if not rem.opt_in or rem.control_id in config.harden.opt_in:
            continue
        if (settings is not None and not settings.enabled) or rem.control_id in dropped:
            continue
        if selection is None or selection.covers(rem.subject):
            out.append(rem)
    return out
