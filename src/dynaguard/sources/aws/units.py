"""Units of live work, and shards: which units one process (or one batch job) scans.

A unit is one (account, region); account-wide reads (IAM) are the unit (account, ``global``).
``--shard K/N`` keeps the units whose stable hash falls in bucket K of N (K from 0): the same
unit lands in the same shard on every run and every machine, whatever else is scanned, and the
buckets are even in expectation. Where the expected size of units is known (the table counts of
a previous report, ``--shard-weights``), those units are dealt out largest first to the shard
with the least weight so far (deterministic: ties go to the lower shard, units in key order);
units the weights do not know fall back to the hash. Every shard computes the same assignment
from the same inputs, with no coordination.

With no ``--shard``, K and N come from the batch engine: ``AWS_BATCH_JOB_ARRAY_INDEX`` (AWS Batch
array jobs; N from ``--shards``) or ``JOB_COMPLETION_INDEX`` (Kubernetes Indexed Jobs; N from
``--shards``, else the ``DYNAGUARD_SHARDS`` variable the manifest sets).
https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dynaguard.errors import UsageError

GLOBAL = "global"  # the region of account-wide work (IAM)
ALL_REGIONS = "*"  # the region of an account whose region list could not be read

BATCH_INDEX = "AWS_BATCH_JOB_ARRAY_INDEX"
K8S_INDEX = "JOB_COMPLETION_INDEX"
SHARDS_ENV = "DYNAGUARD_SHARDS"


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    account_id: str
    region: str

    @property
    def key(self) -> str:
        return f"{self.account_id}/{self.region}"


def unit_hash(key: str, salt: str = "") -> int:
    """A hash that is the same in every process and Python version (unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256(f"{salt}{key}".encode()).digest()[:8], "big")


@dataclass(frozen=True, slots=True)
class ShardSpec:
    """Shard ``index`` of ``count`` (0 <= index < count); ``weights``: expected unit sizes."""

    index: int = 0
    count: int = 1
    weights: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)
    # Within this shard, the part of one local worker process (another hash, so the workers
    # split each shard evenly whatever the shard count).
    worker: int = 0
    workers: int = 1
    _placed: Mapping[str, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise UsageError(
                f"shard {self.index}/{self.count}: K must be 0..N-1 and N at least 1 "
                "(shards are numbered from 0, like batch array indexes)"
            )
        object.__setattr__(self, "_placed", _weighted_assignment(self.weights, self.count))

    @property
    def whole(self) -> bool:
        """Every unit is this process's (no shards, no other workers)."""
        return self.count == 1 and self.workers == 1

    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, unit: Unit) -> bool:
        if self.workers > 1 and unit_hash(unit.key, "worker:") % self.workers != self.worker:
            return False
        if self.count == 1:
            return True
        shard = self._placed.get(unit.key)
        if shard is not None:
            return shard == self.index
        return unit_hash(unit.key) % self.count == self.index

    def for_worker(self, worker: int, workers: int) -> ShardSpec:
        """This shard's part for local worker ``worker`` of ``workers``."""
        return ShardSpec(self.index, self.count, self.weights, worker, workers)

    def owned(self, units: Iterable[Unit]) -> list[Unit]:
        return [u for u in units if self.owns(u)]


def _weighted_assignment(weights: Mapping[str, float], count: int) -> dict[str, int]:
    """Largest first to the lightest shard so far (LPT); ties to the lower shard."""
    if not weights or count == 1:
        return {}
    heap = [(0.0, shard) for shard in range(count)]
    placed: dict[str, int] = {}
    for key, weight in sorted(weights.items(), key=lambda kw: (-kw[1], kw[0])):
        load, shard = heapq.heappop(heap)
        placed[key] = shard
        heapq.heappush(heap, (load + weight, shard))
    return placed


_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    match = _SHARD.match(text)
    if match is None:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 0/4 (shards are numbered from 0)")
    return int(match.group(1)), int(match.group(2))


def shard_from(
    shard: str | None, shards: int | None, environ: Mapping[str, str]
) -> tuple[int, int] | None:
    """(K, N) from ``--shard K/N``, else from the batch engine's index variable and
    ``--shards N`` (or ``DYNAGUARD_SHARDS``); None when the run is not sharded."""
    if shard is not None:
        index, count = parse_shard(shard)
        if shards is not None and shards != count:
            raise UsageError(f"--shard {shard} and --shards {shards} disagree")
        return index, count
    for variable in (BATCH_INDEX, K8S_INDEX):
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        total = shards if shards is not None else _int_env(environ, SHARDS_ENV)
        if total is None:
            raise UsageError(f"{variable} is set: give the number of shards with --shards N")
        if not raw.strip().isdigit():
            raise UsageError(f"{variable}={raw!r} is not a shard index")
        return int(raw), total
    if shards is not None and shards != 1:
        raise UsageError(
            f"--shards {shards} without a shard index: pass --shard K/{shards}, or run as an "
            f"array job ({BATCH_INDEX} or {K8S_INDEX} set)"
        )
    return None


def _int_env(environ: Mapping[str, str], name: str) -> int | None:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise UsageError(f"{name}={raw!r} is not a number of shards")
    return int(raw)
