"""A stable hash of what decides a report's verdicts: configuration, controls and scope.

Shard reports are merged only when they carry the same hash: a report made with another
baseline, another control set or another table selection would mix verdicts that do not
answer the same question. Canonical JSON (sorted keys, sets sorted) of dataclasses, pydantic
models, mappings and sequences, hashed with SHA-256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any


def canonical(obj: Any) -> Any:
    """``obj`` as plain JSON data, the same for equal values whatever their order in sets."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    dump = getattr(obj, "model_dump", None)
    if callable(dump):  # a pydantic model
        return canonical(dump(mode="json"))
    if isinstance(obj, Enum):
        return canonical(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, set | frozenset):
        return sorted((canonical(v) for v in obj), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(obj, list | tuple):
        return [canonical(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return str(obj)


def config_hash(config: Any, controls: Iterable[str], scope: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the configuration, the control ids and the scan scope."""
    data = {"config": canonical(config), "controls": sorted(controls), "scope": canonical(scope)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
