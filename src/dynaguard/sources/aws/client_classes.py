"""One botocore client class per (session, service): clients for more regions and accounts
without rebuilding it.

botocore caches a session's service models (its Loader), but ``create_client`` still builds a
new client *class* for every client: one Python method per operation of the service (EC2 has
~750), with its docstring, plus the ``creating-client-class`` event. That is about 60% of the
cost of a client on a warm session, and a multi-account scan makes a client per (account,
region, service): 21 accounts x 17 regions x 5 services is ~1,800 of them (``bench/
client_bench.py`` measures it). The class depends only on the service model and on the
handlers the session had registered for that event, so it is built once per session and
service and reused; each client still gets its own region, endpoint, credentials, config and
copy of the event hooks (retries, the recorder, pacing are per client).

Only sessions passed to ``share_client_classes`` are affected (dynaguard's own ``AwsSession``
and the member sessions built on it); any other botocore user in the process (moto, a
library's own clients) builds its classes as before. botocore has no public hook for this:
``ClientCreator._create_client_class`` is wrapped, once, for the registered event emitters.
https://github.com/boto/botocore/blob/develop/botocore/client.py (ClientCreator.create_client)
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import boto3
from botocore.client import ClientCreator

_LOCK = threading.Lock()
# event emitter of a registered session -> {(service name, API version): client class}
_CLASSES: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], type]] = weakref.WeakKeyDictionary()
_ORIGINAL = ClientCreator._create_client_class


def _create_client_class(self: ClientCreator, service_name: str, service_model: Any) -> type:
    emitter = self._event_emitter
    with _LOCK:
        classes = _CLASSES.get(emitter)
    if classes is None:  # not one of dynaguard's sessions: botocore's behaviour
        return _ORIGINAL(self, service_name, service_model)  # type: ignore[no-any-return]
    key = (service_name, str(service_model.api_version))
    with _LOCK:
        found = classes.get(key)
    if found is not None:
        return found
    made: type = _ORIGINAL(self, service_name, service_model)
    with _LOCK:
        return classes.setdefault(key, made)


def share_client_classes(session: boto3.Session) -> boto3.Session:
    """Make ``session``'s clients of one service share one class (see the module docstring).
    Returns ``session``."""
    emitter = session._session.get_component("event_emitter")
    with _LOCK:
        if ClientCreator._create_client_class is _ORIGINAL:
            ClientCreator._create_client_class = _create_client_class
        _CLASSES.setdefault(emitter, {})
    return session
