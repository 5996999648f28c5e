"""The embedded AWS emulator: moto, patched to behave like AWS, and a demo fleet to scan.

- :func:`apply_patches` (``patches``): make moto behave like AWS where dynaguard relies on it.
- :func:`start_emulator` (``server``): moto's server in this process, on 127.0.0.1.
- :func:`seed_demo_fleet` (``fleet``): a fleet with mixed posture and its expected verdicts.
- ``snapshot``: moto's whole state saved once and restored as a fresh copy (tests seed once).

moto is an optional dependency (``dynaguard[demo]``); nothing here imports it until used.
"""

from dynaguard.emulator.fleet import FleetManifest, seed_demo_fleet
from dynaguard.emulator.patches import apply_patches
from dynaguard.emulator.server import Emulator, client_env, client_kwargs, start_emulator

__all__ = [
    "Emulator",
    "FleetManifest",
    "apply_patches",
    "client_env",
    "client_kwargs",
    "seed_demo_fleet",
    "start_emulator",
]
