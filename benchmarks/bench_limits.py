"""Rate limits and thumbs under floods (not a unit test): writes benchmarks/limits.md.

    python benchmarks/bench_limits.py [--thumbs 3000]

1. The limiter's cost per call with 12,000 visitors in its table: the c9a9c39 limiter (copied
   below), today's in-memory one, and the Redis-shared one (a real ``redis-server`` on loopback).
2. A tiny kapbot server (``tests/tiny_server.py``, the fake embedder) on loopback: answers past
   a spent limit with 25 forged ``X-Forwarded-For`` addresses; the time of a rate-limited reply;
   and ``--thumbs`` thumbs-down on one reply through Gradio's queue, then the rows recorded.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kapbot.guard import RateLimiter  # noqa: E402
from kapbot.web.sharedlimit import SharedLimiter  # noqa: E402
from tests.servers import RedisServer  # noqa: E402
from tests.tiny_server import GradioSession, tiny_server  # noqa: E402

KEYS = 12_000
BEFORE = """
Before (c9a9c39, measured once with this script's `server_figures` on that tree, uvicorn with its
default proxy options as `kapbot serve` ran it): 25 of 25 forged `X-Forwarded-For` addresses
got an answer past the spent limit; 3,000 thumbs-down on one reply took 78.6 s and left 3,000
feedback rows and 3,000 thumbs-down in the gaps.
"""


class OldRateLimiter:
    """kapbot/guard.py at c9a9c39: over ``max_keys`` every call scans the table under the lock."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.per_minute, self.clock, self.max_keys = per_minute, clock, max_keys
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._seen) > self.max_keys:
                for k in [k for k, t in self._seen.items() if not t or now - t[-1] >= 60.0]:
                    del self._seen[k]
            times = self._seen.setdefault(key, deque())
            while times and now - times[0] >= 60.0:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True


def per_call_us(limiter: object, calls: int) -> tuple[float, int]:
    """Fill with KEYS visitors, then time ``calls`` more calls by those visitors (µs each)."""
    allow = limiter.allow  # type: ignore[attr-defined]
    keys = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(KEYS)]
    for key in keys:
        allow(key)
    started = time.perf_counter()
    for i in range(calls):
        allow(keys[(i * 7919) % KEYS])
    elapsed = (time.perf_counter() - started) / calls * 1e6
    size = len(getattr(limiter, "_seen", ()))
    return elapsed, size


def ask(base: str, question: str, forwarded: str = "") -> tuple[int, float]:
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    req = urllib.request.Request(base + "/api/ask", json.dumps({"question": question}).encode(),
                                 headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        err.read()
        status = err.code
    return status, (time.perf_counter() - started) * 1000


def server_figures(folder: Path, thumbs: int, **settings: str) -> dict[str, float]:
    with tiny_server(folder, rate_limit_per_minute="3", ratings_per_minute="30",
                     **settings) as base:
        for _ in range(3):
            ask(base, "When should I prune roses?")
        forged = [ask(base, "When should I prune roses?", f"198.51.100.{i}")[0]
                  for i in range(25)]
        limited = [ask(base, "When should I prune roses?")[1] for _ in range(200)]
        tab = GradioSession(base)
        tab.ask("When should I prune roses?")
        started = time.perf_counter()
        tab.rate(0, False, times=thumbs)
        flood = time.perf_counter() - started
    data = folder / "data"
    with sqlite3.connect(data / "feedback.sqlite3") as conn:
        rows = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    with sqlite3.connect(data / "gaps.sqlite3") as conn:
        downs = conn.execute("SELECT COUNT(*) FROM gaps WHERE event = 'down'").fetchone()[0]
    return {"forged_answers": forged.count(200), "limited_p50_ms": statistics.median(limited),
            "limited_p95_ms": sorted(limited)[int(0.95 * (len(limited) - 1))],
            "thumbs_s": flood, "feedback_rows": rows, "gap_downs": downs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thumbs", type=int, default=3000)
    args = parser.parse_args()
    lines = ["# Rate limits and thumbs under floods", "",
             "`python benchmarks/bench_limits.py` (2 shared CPU cores; figures are indicative).",
             "", f"## The limiter, {KEYS:,} visitors in the table", "",
             "| limiter | µs per call | visitors kept |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        try:
            for name, limiter, calls in [
                ("c9a9c39 (scan over max_keys)", OldRateLimiter(20), 2_000),
                ("memory:// (LRU, bounded)", RateLimiter(20), 200_000),
                ("redis:// (limits, loopback)", SharedLimiter(redis.url, 20, "ask"), 5_000),
            ]:
                us, size = per_call_us(limiter, calls)
                lines.append(f"| {name} | {us:.1f} | {size or 'in Redis'} |")
                print(lines[-1], flush=True)
            lines += ["", f"## A tiny server on loopback (limit 3 a minute, {args.thumbs:,} "
                      "thumbs-down on one reply, all queued at once)", "",
                      "| storage | answers to 25 forged X-Forwarded-For past a spent limit | "
                      "rate-limited reply p50 / p95 (ms, over HTTP) | thumbs flood (s) | "
                      "feedback rows | thumbs-down counted in gaps |", "|---|---|---|---|---|---|"]
            for name, settings in [("memory://", {}),
                                   ("redis://", {"rate_limit_storage": redis.url})]:
                f = server_figures(Path(tmp) / name.strip(":/"), args.thumbs, **settings)
                lines.append(f"| {name} | {f['forged_answers']} | {f['limited_p50_ms']:.1f} / "
                             f"{f['limited_p95_ms']:.1f} | {f['thumbs_s']:.1f} | "
                             f"{f['feedback_rows']} | {f['gap_downs']} |")
                print(lines[-1], flush=True)
        finally:
            redis.stop()
    lines.append(BEFORE)
    (ROOT / "benchmarks" / "limits.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
