"""Run reads on a thread pool; handle each result on the calling thread as it completes.

Workers only read AWS; every ``then`` callback runs on the thread that calls ``run``, so the
state the callbacks build (the inventory being joined) needs no locks, and a callback may
submit follow-up work (a listed table's reads, a described table's key) without a worker ever
waiting on another worker.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], None]


class Scheduler:
    def __init__(self, pool: ThreadPoolExecutor, progress: Progress | None = None) -> None:
        self._pool = pool
        self._progress = progress
        self._pending: dict[Future[Any], Callable[[Any], None]] = {}
        # Finished futures arrive here (O(1) per result, however many are pending).
        self._finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        self.submitted = 0
        self.completed = 0

    def submit(self, read: Callable[[], T], then: Callable[[T], None]) -> None:
        """Run ``read`` on a worker; later, ``then(result)`` on the ``run`` thread."""
        future = self._pool.submit(read)
        self._pending[future] = then
        self.submitted += 1
        future.add_done_callback(self._finished.put)

    def run(self) -> None:
        """Until no work is left: wait for results and hand each to its callback.

        An exception from a read is a bug (collectors turn AWS failures into Unknowns) and is
        raised here; the caller cancels the rest.
        """
        while self._pending:
            future = self._finished.get()
            then = self._pending.pop(future)
            then(future.result())
            self.completed += 1
            if self._progress is not None:
                self._progress(self.completed, self.submitted)
