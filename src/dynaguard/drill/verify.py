"""Verify a restored table against its source: structure, encryption, item count, a sample.

Structure (key schema, key attribute types, global and local secondary indexes) and encryption
must match: a FAIL. The item count and the sampled items are compared with the source as it is
now, which may have changed since the restore point: a difference is a WARN that says so, not a
FAIL. Reads are paced by a ``ReadLimiter`` (``drill.read_units_per_second``, from the consumed
capacity DynamoDB reports), so a drill never starves the production table it reads.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.Tutorial.html
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # PASS | WARN | FAIL
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail}


@dataclass(slots=True)
class ReadLimiter:
    """At most ``units_per_second`` read capacity units, on average, across the drill's reads."""

    units_per_second: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    spent: float = 0.0
    started: float | None = field(default=None)

    def spend(self, units: float) -> None:
        now = self.clock()
        if self.started is None:
            self.started = now
        self.spent += units
        ahead = self.spent / self.units_per_second - (now - self.started)
        if ahead > 0:
            self.sleep(ahead)


def _units(response: Mapping[str, Any], fallback: float) -> float:
    consumed = response.get("ConsumedCapacity") or {}
    value = consumed.get("CapacityUnits") if isinstance(consumed, Mapping) else None
    return float(value) if isinstance(value, int | float) else fallback


def _key_types(desc: Mapping[str, Any]) -> dict[str, str]:
    keys = {k["AttributeName"] for k in desc.get("KeySchema") or ()}
    for index in (
        *(desc.get("GlobalSecondaryIndexes") or ()),
        *(desc.get("LocalSecondaryIndexes") or ()),
    ):
        keys |= {k["AttributeName"] for k in index.get("KeySchema") or ()}
    types = {a["AttributeName"]: a["AttributeType"] for a in desc.get("AttributeDefinitions") or ()}
    return {k: types.get(k, "?") for k in sorted(keys)}


def _indexes(desc: Mapping[str, Any], field_name: str) -> dict[str, Any]:
    out = {}
    for index in desc.get(field_name) or ():
        projection = index.get("Projection") or {}
        out[index["IndexName"]] = (
            [(k["AttributeName"], k["KeyType"]) for k in index.get("KeySchema") or ()],
            projection.get("ProjectionType"),
            sorted(projection.get("NonKeyAttributes") or ()),
        )
    return out


def encryption_of(desc: Mapping[str, Any]) -> str:
    """``owned`` (the AWS owned key) or ``kms:KEY_ARN``, as DescribeTable reports it."""
    sse = desc.get("SSEDescription") or {}
    if sse.get("SSEType") == "KMS" or sse.get("KMSMasterKeyArn"):
        return f"kms:{sse.get('KMSMasterKeyArn') or '?'}"
    return "owned"


def structure_checks(source: Mapping[str, Any], scratch: Mapping[str, Any]) -> list[Check]:
    checks = []
    same_keys = source.get("KeySchema") == scratch.get("KeySchema") and _key_types(
        source
    ) == _key_types(scratch)
    checks.append(
        Check(
            "key schema",
            PASS if same_keys else FAIL,
            f"{_key_types(scratch)}"
            if same_keys
            else f"source {_key_types(source)}, restored {_key_types(scratch)}",
        )
    )
    for label, name in (
        ("global indexes", "GlobalSecondaryIndexes"),
        ("local indexes", "LocalSecondaryIndexes"),
    ):
        want, got = _indexes(source, name), _indexes(scratch, name)
        checks.append(
            Check(
                label,
                PASS if want == got else FAIL,
                f"{len(got)} as in the source ({', '.join(sorted(got)) or 'none'})"
                if want == got
                else f"source {sorted(want)}, restored {sorted(got)} (or their keys differ)",
            )
        )
    want_enc, got_enc = encryption_of(source), encryption_of(scratch)
    checks.append(
        Check(
            "encryption",
            PASS if want_enc == got_enc else FAIL,
            f"{got_enc}" if want_enc == got_enc else f"source {want_enc}, restored {got_enc}",
        )
    )
    return checks


def _scan_pages(
    client: Any, table: str, limiter: ReadLimiter, **params: Any
) -> Iterator[dict[str, Any]]:
    start: dict[str, Any] = {}
    while True:
        page = client.scan(TableName=table, ReturnConsumedCapacity="TOTAL", **params, **start)
        limiter.spend(_units(page, 1.0))
        yield page
        if not page.get("LastEvaluatedKey"):
            return
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def count_items(client: Any, table: str, limiter: ReadLimiter) -> int:
    return sum(
        int(p.get("Count") or 0) for p in _scan_pages(client, table, limiter, Select="COUNT")
    )


def count_check(client: Any, source: str, scratch: str, limiter: ReadLimiter) -> Check:
    restored, now = count_items(client, scratch, limiter), count_items(client, source, limiter)
    if restored == now:
        return Check("item count", PASS, f"{restored} items, as in the source")
    return Check(
        "item count",
        WARN,
        f"{restored} restored, {now} in the source now (it may have changed since the restore "
        "point)",
    )


def item_hash(item: Mapping[str, Any]) -> str:
    """A stable digest of a low-level item (binary values base64-encoded, sets sorted)."""

    def plain(value: Any) -> Any:
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(bytes(value)).decode()
        if isinstance(value, Mapping):
            # String, number and binary sets have no order: DynamoDB may return any.
            return {
                k: sorted(plain(v), key=json.dumps) if k in ("SS", "NS", "BS") else plain(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple | set):
            items = [plain(v) for v in value]
            return sorted(items, key=json.dumps) if isinstance(value, set) else items
        return value

    text = json.dumps(plain(item), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def sample_check(
    client: Any, source: Mapping[str, Any], scratch: str, sample: int, limiter: ReadLimiter
) -> Check:
    """Up to ``sample`` restored items, each read from the source by key and compared by hash."""
    if sample <= 0:
        return Check("item sample", PASS, "no sample requested (drill.sample_items: 0)")
    keys = [k["AttributeName"] for k in source.get("KeySchema") or ()]
    items: list[dict[str, Any]] = []
    for page in _scan_pages(client, scratch, limiter, Limit=min(sample, 100)):
        items += page.get("Items") or []
        if len(items) >= sample:
            break
    items = items[:sample]
    missing = differ = 0
    for item in items:
        got = client.get_item(
            TableName=source["TableName"],
            Key={k: item[k] for k in keys},
            ReturnConsumedCapacity="TOTAL",
        )
        limiter.spend(_units(got, 0.5))
        if "Item" not in got:
            missing += 1
        elif item_hash(got["Item"]) != item_hash(item):
            differ += 1
    if not items:
        return Check("item sample", PASS, "the restored table is empty: nothing to sample")
    if missing or differ:
        return Check(
            "item sample",
            WARN,
            f"{len(items) - missing - differ} of {len(items)} sampled items identical; {differ} "
            f"differ, {missing} gone from the source (changed since the restore point?)",
        )
    return Check("item sample", PASS, f"{len(items)} sampled items identical (SHA-256)")
