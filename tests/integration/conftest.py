"""A seeded demo fleet on the in-process emulator server, shared by the tests of one module.

moto's state is process-global and other test modules reset it, so the fleet is seeded per
module (a module's tests run back to back) and every test here only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from dynaguard.emulator import Emulator, start_emulator
from dynaguard.emulator.fleet import FleetManifest, seed_demo_fleet

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


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ENV.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
            mp.delenv(k, raising=False)
        with start_emulator() as emulator:
            emulator.reset()
            manifest = seed_demo_fleet(emulator.endpoint_url)
            yield Fleet(emulator, manifest)
            emulator.reset()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
