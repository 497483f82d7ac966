"""Rate limits that hold behind proxies and across replicas, and thumbs that count once.

Real processes: tiny kapbot servers (``tests/tiny_server.py``: uvicorn with ``kapbot serve``'s
proxy options, the fake embedder) and Debian's ``redis-server``, all on loopback.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kapbot.guard import RateLimiter, visitor_key

from .servers import RedisServer
from .tiny_server import GradioSession, tiny_server

ROSES = "When should I prune roses?"
CRISIS = "I want to kill myself"


def _ask(base: str, question: str, forwarded: str = "") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    req = urllib.request.Request(base + "/api/ask", json.dumps({"question": question}).encode(),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())["kind"]
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())["kind"]


def test_visitor_key_groups_ipv6_by_64() -> None:
    assert visitor_key("203.0.113.7") == "203.0.113.7"
    assert visitor_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert visitor_key("2001:db8:1:2:ffff:1:2:3") == visitor_key("[2001:db8:1:2::9]")
    assert visitor_key("2001:db8:1:3::1") != visitor_key("2001:db8:1:2::1")
    assert visitor_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert visitor_key(None) == visitor_key("") == "unknown"
    assert visitor_key("testclient") == "testclient"


def test_rate_limiter_table_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0], max_keys=100)
    assert all(limiter.allow(f"10.0.{i // 250}.{i % 250}") for i in range(1000))
    assert len(limiter) == 100  # the least recently seen are forgotten first
    assert limiter.allow("10.0.3.249") and not limiter.allow("10.0.3.249")  # recent: counted
    now[0] = 61.0  # everyone idle a full window: a few forgotten per call, a constant cost
    for _ in range(13):
        limiter.allow("192.0.2.1")
    assert len(limiter) == 1


@pytest.mark.slow
def test_forged_forwarded_for_gets_no_fresh_budget(tmp_path: Path) -> None:
    """Before: uvicorn trusted X-Forwarded-For from 127.0.0.1, 25 forged addresses got 25
    answers past a spent limit. After (no trusted proxy by default): none."""
    with tiny_server(tmp_path, rate_limit_per_minute="3") as base:
        assert [_ask(base, ROSES)[0] for _ in range(3)] == [200, 200, 200]
        forged = [_ask(base, ROSES, f"198.51.100.{i}")[0] for i in range(25)]
        assert forged.count(200) == 0 and forged.count(429) == 25
        assert _ask(base, CRISIS, "198.51.100.99") == (200, "crisis")


@pytest.mark.slow
def test_trusted_proxy_names_each_visitor(tmp_path: Path) -> None:
    with tiny_server(tmp_path, rate_limit_per_minute="1",
                     forwarded_allow_ips="127.0.0.1") as base:
        assert _ask(base, ROSES, "198.51.100.1")[0] == 200
        assert _ask(base, ROSES, "198.51.100.1")[0] == 429
        assert _ask(base, ROSES, "198.51.100.2")[0] == 200  # another visitor, its own budget
        assert _ask(base, ROSES, "2001:db8:5:6::1")[0] == 200
        assert _ask(base, ROSES, "2001:db8:5:6:abcd::2")[0] == 429  # same /64: same visitor
        assert _ask(base, ROSES, "2001:db8:5:7::1")[0] == 200


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_two_replicas_share_a_limit_in_redis(tmp_path: Path, redis: RedisServer) -> None:
    shared = {"rate_limit_per_minute": "3", "rate_limit_storage": redis.url}
    with tiny_server(tmp_path / "a", **shared) as a, tiny_server(tmp_path / "b", **shared) as b:
        assert [_ask(a, ROSES)[0], _ask(a, ROSES)[0], _ask(b, ROSES)[0]] == [200, 200, 200]
        assert _ask(b, ROSES) == (429, "no_answer")  # the 4th of this visitor, on either one
        assert _ask(a, ROSES)[0] == 429
        assert _ask(b, CRISIS) == (200, "crisis")
        redis.stop()  # the store goes away: each replica counts on its own, crisis still works
        assert _ask(a, ROSES)[0] == 200
        assert _ask(b, CRISIS) == (200, "crisis")
    logged = (tmp_path / "a" / "server.log").read_text()
    lines = [line for line in logged.splitlines() if "Rate-limit store" in line]
    assert len(lines) == 1 and len(lines[0]) < 300 and "Traceback" not in logged


def test_unreachable_store_falls_back_to_this_process(tmp_path: Path) -> None:
    from kapbot.web.sharedlimit import SharedLimiter

    port = RedisServer(tmp_path).port  # a free port: nothing listens there
    limiter = SharedLimiter(f"redis://127.0.0.1:{port}", 2, "ask")
    assert [limiter.allow("192.0.2.1") for _ in range(3)] == [True, True, False]


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_thumbs_count_once_per_reply_and_are_limited(tmp_path: Path) -> None:
    """Before: every click on a reply's thumb added a row (and a gap). After: one per reply."""
    with tiny_server(tmp_path, ratings_per_minute="9") as base:
        tab = GradioSession(base)
        tab.ask(ROSES)
        feedback, gaps = tmp_path / "data" / "feedback.sqlite3", tmp_path / "data" / "gaps.sqlite3"
        ratings = "SELECT rating FROM feedback ORDER BY id"
        downs = "SELECT COUNT(*) FROM gaps WHERE event = 'down'"
        tab.rate(0, False, times=5)
        assert _rows(feedback, ratings) == [("down",)]
        assert _rows(gaps, downs) == [(1,)]
        tab.rate(0, True)  # the visitor changes their mind: replaced
        assert _rows(feedback, ratings) == [("up",)] and _rows(gaps, downs) == [(0,)]
        tab.rate(0, "")  # un-clicked: withdrawn
        assert _rows(feedback, ratings) == [] and _rows(gaps, downs) == [(0,)]
        for _ in range(3):  # 7 ratings given so far; the budget is 9 a minute
            tab.ask(ROSES)  # this tab sends no history, so its chat shows the new reply alone
            tab.rate(0, False)
        assert _rows(feedback, ratings) == [("down",), ("down",)]
        assert _rows(gaps, downs) == [(2,)]


def test_feedback_files_from_before_get_one_rating_per_reply(tmp_path: Path) -> None:
    from kapbot.storage.feedback import SCHEMA, FeedbackStore

    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as conn:  # a file written before replies had an id
        conn.execute(SCHEMA.replace(",\n    reply TEXT", ""))
        conn.execute("INSERT INTO feedback (at, rating, kind, sources) VALUES (1, 'up', 'a', '')")
    store = FeedbackStore(path)
    assert store.rate("r1", "down", "answer", []) is None
    assert store.rate("r1", "down", "answer", []) == "down"
    assert store.rate("r1", "up", "answer", []) == "down"
    assert store.counts() == {"up": 2, "down": 0}
    assert store.rate("r1", None, "answer", []) == "up"
    assert store.counts() == {"up": 1, "down": 0}
