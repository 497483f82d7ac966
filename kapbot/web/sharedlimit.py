"""The rate limit shared by several replicas: counts kept in Redis (or another store the
``limits`` library knows) instead of in each process. The only module that imports ``limits``.

``rate_limit_storage = "memory://"`` (the default) keeps the counts in this process with
``kapbot.guard.RateLimiter``; any other URI (``redis://host:6379``, ``redis://host:6379/1``,
``rediss://…``, ``valkey://…``) is handed to ``limits`` and every replica pointed at the same
store shares each visitor's budget (a moving 60-second window, as in memory).

If the store cannot be reached at request time the limit falls back to this process's own
counts (logged in one short line, at most every 30 s) and the store is tried again after
``RETRY_AFTER`` seconds: visitors are neither refused because the store is down nor left
unlimited, and a crisis message still gets its reply (``Bot.limited``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kapbot.errors import ConfigError
from kapbot.guard import Limiter, RateLimiter

log = logging.getLogger("kapbot.limit")

MEMORY = "memory://"
RETRY_AFTER = 5.0  # seconds between attempts to reach a store that failed
LOG_EVERY = 30.0
TIMEOUT = 0.5  # seconds to connect to, or hear from, the store


class SharedLimiter:
    """``allow(key)``: at most ``per_minute`` per key per 60 s, counted in ``uri`` under
    ``budget`` (so questions and ratings are counted apart)."""

    def __init__(self, uri: str, per_minute: int, budget: str) -> None:
        from limits import RateLimitItemPerMinute
        from limits.errors import ConfigurationError
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.uri, self.per_minute, self.budget = uri, per_minute, budget
        redis_like = uri.split(":", 1)[0] in {"redis", "rediss", "valkey", "valkeys"}
        options: dict[str, Any] = (
            {"socket_timeout": TIMEOUT, "socket_connect_timeout": TIMEOUT} if redis_like else {})
        try:
            storage = storage_from_string(uri, wrap_exceptions=True, key_prefix="kapbot",
                                          **options) if redis_like else storage_from_string(uri)
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(f"rate_limit_storage {_safe(uri)!r} cannot be used ({exc}): use "
                              f"{MEMORY} or redis://host:6379, and `pip install "
                              f"'limits[redis]'`") from exc
        self._item = RateLimitItemPerMinute(max(per_minute, 1), namespace=budget)
        self._strategy = MovingWindowRateLimiter(storage)
        self._local = RateLimiter(per_minute)  # while the store cannot be reached
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._logged_at = -LOG_EVERY

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        if time.monotonic() >= self._down_until:
            try:
                return bool(self._strategy.hit(self._item, key))
            except Exception as exc:  # any store failure: count here until it is back
                self._went_down(exc)
        return self._local.allow(key)

    def _went_down(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_AFTER
            if now - self._logged_at < LOG_EVERY:
                return
            self._logged_at = now
        cause = getattr(exc, "storage_error", exc)
        log.error("Rate-limit store %s unreachable (%s: %.120s); counting in this process until "
                  "it is back", _safe(self.uri), type(cause).__name__, str(cause))


def make_limiter(uri: str, per_minute: int, budget: str) -> Limiter:
    """The limiter ``rate_limit_storage`` asks for: in this process, or in a shared store."""
    if not uri or uri == MEMORY:
        return RateLimiter(per_minute)
    return SharedLimiter(uri, per_minute, budget)


def _safe(uri: str) -> str:
    """The URI without a password, for messages and logs."""
    scheme, sep, rest = uri.partition("://")
    return f"{scheme}{sep}{rest.rsplit('@', 1)[-1]}" if sep else uri
