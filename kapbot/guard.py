"""Per-visitor rate limiting. Pure: the clock is an argument, so tests need no sleeping."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class RateLimiter:
    """At most ``per_minute`` requests per key in any 60-second window (0 turns it off)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.max_keys = max_keys
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        with self._lock:
            if len(self._seen) > self.max_keys:
                self._forget(now)
            times = self._seen.setdefault(key, deque())
            while times and now - times[0] >= WINDOW:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True

    def _forget(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or now - t[-1] >= WINDOW]:
            del self._seen[key]
