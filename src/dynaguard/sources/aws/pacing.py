"""A token bucket: at most ``rate`` requests a second, with bursts of up to ``rate`` (one
second's worth). One bucket per (account, region) keeps a large organization scan from pushing
any one account's control plane into throttling, whatever the global concurrency.
https://docs.aws.amazon.com/general/latest/gr/api-retries.html
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Thread-safe; ``acquire`` sleeps outside the lock, so waiting threads do not serialise."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock  # None: time.monotonic / time.sleep, looked up when used
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._stamp = self._now()

    def _now(self) -> float:
        return (self._clock or time.monotonic)()

    def acquire(self) -> float:
        """Take one token, waiting until it is due; returns the time waited (seconds)."""
        with self._lock:
            now = self._now()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0  # may go negative: later callers queue up behind this one
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            (self._sleep or time.sleep)(wait)
        return wait
