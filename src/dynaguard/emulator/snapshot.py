"""A copy of moto's whole state, taken once and put back many times: seed a fleet once per test
session, not once per test module.

moto keeps every resource of every service, account and region in its ``BackendDict``s, in this
process. :func:`save_state` pickles them in one piece (so references between services hold);
:func:`restore_state` empties moto (as ``POST /moto-api/reset`` does) and loads a fresh copy, so
what one module changes never reaches the next. A restored fleet is the seeded fleet, down to its
ids and creation times (a test that needs "created just now" seeds its own).

Gaps this module fills (moto 5.2):

- KMS keys hold ``cryptography`` private keys, which do not pickle: they travel as PKCS#8 DER.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class EmulatorState:
    """moto's state at one moment, for :func:`restore_state` in the same process.

    ``services`` are moto's ``BackendDict`` singletons (kept by reference: they are where the
    backends go back to), ``data`` the pickled (service index, account, region, backend) list.
    """

    services: tuple[Any, ...]
    data: bytes
    backends: int


class _Pickler(pickle.Pickler):
    """Pickles private keys (which ``cryptography`` refuses to) as PKCS#8 DER."""

    def reducer_override(self, obj: Any) -> Any:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        if not isinstance(obj, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            return NotImplemented
        der = obj.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return _load_private_key, (der,)


def _load_private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_der_private_key(der, None)


def save_state() -> EmulatorState:
    """Every backend moto has in use, pickled in one piece."""
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        services = tuple(vars(BackendDict)["_instances"])
        entries = [
            (index, account, region, backend)
            for index, service in enumerate(services)
            for account, regions in dict.items(service)
            for region, backend in dict.items(regions)
        ]
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(entries)
    return EmulatorState(services, buffer.getvalue(), len(entries))


def restore_state(state: EmulatorState) -> None:
    """Empty moto and load a fresh copy of ``state``: what the last user changed is gone."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data

    entries = pickle.loads(state.data)  # noqa: S301 - bytes this process pickled
    with backend_lock:  # as BackendDict.reset, without rebuilding backends to throw away
        in_use = vars(BackendDict)["_instances"]
        for service in in_use:
            dict.clear(service)
        in_use.clear()
    reset_model_data()
    for index, account, region, backend in entries:
        regions = state.services[index][account]  # creates the account's dict, registers it
        dict.__setitem__(regions, region, backend)
