"""Run reads on a thread pool; handle each result on the calling thread as it completes.

Workers only read AWS; every ``then`` callback runs on the thread that calls ``run`` (or
``step``), so the state the callbacks build (the inventory being joined) needs no locks, and a
callback may submit follow-up work (a listed table's reads, a described table's key) without a
worker ever waiting on another worker.

Work is submitted in groups (one per account in an organization scan). The scheduler keeps at
most ``concurrency`` reads in the pool and hands them out round-robin across the groups that
have work queued, so one large account cannot hold every worker while the others wait (with a
per-account-and-region rate limit, its reads would only sleep). When a group has nothing queued,
running or left to call back, its ``on_idle`` callback runs: the owner may submit more (the next
phase) or hand the account's results on and forget it.
"""

from __future__ import annotations

import queue
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], None]


class Submitter(Protocol):
    """What a collector needs from a scheduler: submit a read and its callback."""

    def submit(self, read: Callable[[], T], then: Callable[[T], None]) -> None: ...


@dataclass(slots=True)
class _Group:
    queued: deque[tuple[Callable[[], Any], Callable[[Any], None]]] = field(default_factory=deque)
    running: int = 0
    on_idle: Callable[[], None] | None = None


class Scheduler:
    def __init__(
        self,
        pool: ThreadPoolExecutor,
        progress: Progress | None = None,
        concurrency: int | None = None,
    ) -> None:
        self._pool = pool
        self._progress = progress
        self._limit = concurrency or pool._max_workers
        self._groups: dict[Hashable, _Group] = {}
        self._ready: deque[Hashable] = deque()  # groups with queued work, round-robin order
        self._in_pool = 0
        self._pending: dict[Future[Any], tuple[Hashable, Callable[[Any], None]]] = {}
        # Finished futures arrive here (O(1) per result, however many are pending).
        self._finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        self.submitted = 0
        self.completed = 0

    def submit(
        self, read: Callable[[], T], then: Callable[[T], None], group: Hashable = None
    ) -> None:
        """Queue ``read`` for a worker; later, ``then(result)`` on the ``run`` thread."""
        state = self._groups.get(group)
        if state is None:
            state = self._groups[group] = _Group()
        if not state.queued:
            self._ready.append(group)
        state.queued.append((read, then))
        self.submitted += 1

    def group(self, key: Hashable, on_idle: Callable[[], None]) -> GroupSubmitter:
        """A submitter whose reads belong to group ``key``; ``on_idle`` runs whenever the group
        has no work left (also right away at the next step if nothing is ever submitted)."""
        state = self._groups.get(key)
        if state is None:
            state = self._groups[key] = _Group()
        state.on_idle = on_idle
        return GroupSubmitter(self, key)

    def busy(self) -> bool:
        return bool(self._pending or self._ready or self._idle_groups())

    def run(self) -> None:
        """Until no work is left: dispatch reads, hand each result to its callback.

        An exception from a read is a bug (collectors turn AWS failures into Unknowns) and is
        raised here; the caller cancels the rest.
        """
        while self.busy():
            self.step()

    def step(self) -> None:
        """Dispatch what the concurrency allows, then handle one finished read (waiting for it
        if need be), then call back any group that went idle."""
        self._dispatch()
        if self._pending:
            future = self._finished.get()
            group, then = self._pending.pop(future)
            self._in_pool -= 1
            self._groups[group].running -= 1
            then(future.result())
            self.completed += 1
            if self._progress is not None:
                self._progress(self.completed, self.submitted)
        for key in self._idle_groups():
            state = self._groups.pop(key)
            if state.on_idle is not None:
                state.on_idle()

    def _dispatch(self) -> None:
        while self._in_pool < self._limit and self._ready:
            key = self._ready.popleft()
            state = self._groups[key]
            read, then = state.queued.popleft()
            if state.queued:
                self._ready.append(key)  # round-robin: back of the line
            future = self._pool.submit(read)
            self._pending[future] = (key, then)
            self._in_pool += 1
            state.running += 1
            future.add_done_callback(self._finished.put)

    def _idle_groups(self) -> list[Hashable]:
        return [
            key
            for key, g in self._groups.items()
            if g.on_idle is not None and not g.queued and not g.running
        ]


@dataclass(frozen=True, slots=True)
class GroupSubmitter:
    """Submits into one group of a scheduler (an account's reads)."""

    scheduler: Scheduler
    key: Hashable

    def submit(self, read: Callable[[], T], then: Callable[[T], None]) -> None:
        self.scheduler.submit(read, then, self.key)
