"""A seeded demo fleet on the in-process emulator server, shared by the tests of one module.

moto's state is process-global and other test modules reset it, so each module gets the fleet
afresh (a module's tests run back to back) and every test here only reads it. The fleet is
seeded once per test process and saved (``dynaguard.emulator.snapshot``); later modules restore
that copy, which is several times faster than seeding again (harden's modules, qa's, these).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pytest

from dynaguard.emulator import Emulator, start_emulator
from dynaguard.emulator.fleet import FleetManifest, seed_demo_fleet
from dynaguard.emulator.snapshot import EmulatorState, restore_state, save_state

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass(frozen=True)
class Fleet:
    emulator: Emulator
    manifest: FleetManifest

    @property
    def url(self) -> str:
        return self.emulator.endpoint_url


# This process's seeded fleet: moto's state right after seed_demo_fleet, and its manifest.
_seeded: list[tuple[EmulatorState, FleetManifest]] = []


@contextmanager
def fresh_fleet() -> Iterator[Fleet]:
    """The demo fleet, as just seeded, on an emulator server of its own (env offline); moto is
    reset afterwards. Seeded the first time in this process, restored from that copy after."""
    with offline_emulator() as emulator:
        if _seeded:
            state, manifest = _seeded[0]
            restore_state(state)
            manifest = replace(manifest, endpoint_url=emulator.endpoint_url)
        else:
            manifest = seed_demo_fleet(emulator.endpoint_url)
            _seeded.append((save_state(), manifest))
        yield Fleet(emulator, manifest)


@contextmanager
def offline_emulator() -> Iterator[Emulator]:
    """An emulator server of its own, empty, with the environment offline (test credentials,
    no profile, endpoint or config file of the machine); moto is reset afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ENV.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
            mp.delenv(k, raising=False)
        with start_emulator() as emulator:
            emulator.reset()
            try:
                yield emulator
            finally:
                emulator.reset()


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    with fresh_fleet() as fleet:
        yield fleet


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
