"""The baseline controls DDB.001-DDB.017 (see shared CONTROLS.md), one module each."""

from dynaguard.controls.base import Context, Control, Subject, Verdict
from dynaguard.controls.registry import all_controls, control_ids, get_control

__all__ = [
    "Context",
    "Control",
    "Subject",
    "Verdict",
    "all_controls",
    "control_ids",
    "get_control",
]
