"""Per-visitor rate limiting. Pure: the clock is an argument, so tests need no sleeping.

``visitor_key`` turns a client address into the key a visitor is counted under (an IPv6 address
by its /64, since one home or phone gets a whole /64). ``RateLimiter`` keeps the counts in this
process (``rate_limit_storage = "memory://"``); ``kapbot.web.sharedlimit`` keeps them in a shared
store for several replicas. Both answer ``allow(key)``.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

WINDOW = 60.0
EXPIRE_PER_CALL = 8  # forgotten idle visitors per call: constant work, and the table drains


class Limiter(Protocol):
    def allow(self, key: str) -> bool: ...


def visitor_key(host: str | None) -> str:
    """The key one visitor is counted under: the IPv4 address, or the /64 of an IPv6 address
    (an IPv4-mapped IPv6 address counts as its IPv4 address). Anything else is kept as given."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimiter:
    """At most ``per_minute`` requests per key in any 60-second window (0 turns it off).

    The table holds at most ``max_keys`` visitors, least recently seen first: each call moves
    its key to the end and forgets a few idle (or, when full, the least recently seen) visitors
    from the front, so a call costs the same at 10 keys and at ``max_keys``."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        with self._lock:
            times = self._seen.get(key)
            if times is None:
                times = self._seen[key] = deque(maxlen=self.per_minute)
            else:
                self._seen.move_to_end(key)
            while times and now - times[0] >= WINDOW:
                times.popleft()
            self._forget(now)
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True

    def _forget(self, now: float) -> None:
        """Drop idle visitors from the front (constant work per call), then the least recently
        seen while the table is over ``max_keys``."""
        for _ in range(EXPIRE_PER_CALL):
            oldest_key, oldest = next(iter(self._seen.items()))
            if oldest and now - oldest[-1] < WINDOW:
                break
            if oldest_key == next(reversed(self._seen)):
                break  # the caller's own (just moved to the end): keep it
            del self._seen[oldest_key]
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
