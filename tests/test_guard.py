"""Hardening: rate limits (crisis never limited), CORS grants, frame-ancestors, the widget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kapbot.bot import Bot
from kapbot.guard import RateLimiter
from kapbot.settings import Settings

from .conftest import FakeEmbedder

ORIGIN = "https://www.green-thumb.example"


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    now[0] = 59.9
    assert not limiter.allow("a")
    now[0] = 60.0
    assert limiter.allow("a")
    assert all(RateLimiter(0).allow("x") for _ in range(100))


@pytest.fixture
def client(tiny_settings: Settings, fake_embedder: FakeEmbedder) -> Iterator[TestClient]:
    from kapbot.web.app import create_app

    settings = tiny_settings.replace(rate_limit_per_minute=3, allowed_origins=ORIGIN + "/")
    bot = Bot(settings, embedder=fake_embedder)
    bot.prepare()
    with TestClient(create_app(bot)) as test_client:
        yield test_client


def test_rate_limit_spares_crisis_messages(client: TestClient) -> None:
    kinds = [client.post("/api/ask", json={"question": "When should I prune roses?"})
             for _ in range(4)]
    assert [r.status_code for r in kinds] == [200, 200, 200, 429]
    limited = kinds[-1].json()
    assert limited["kind"] == "no_answer" and limited["text"].startswith("You've sent a lot")
    crisis = client.post("/api/ask", json={"question": "I want to kill myself"})
    assert crisis.status_code == 200 and crisis.json()["kind"] == "crisis"


def test_cors_only_for_allowed_origins(client: TestClient) -> None:
    ok = client.options("/api/ask", headers={"Origin": ORIGIN,
                                             "Access-Control-Request-Method": "POST"})
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    bad = client.options("/api/ask", headers={"Origin": "https://evil.example",
                                              "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers
    post = client.post("/api/ask", json={"question": "hi"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in post.headers


def test_chat_page_frame_ancestors(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == f"frame-ancestors 'self' {ORIGIN}"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_widget_script(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    body = script.text
    for needle in ("data-position", "data-color", "data-label", "Escape", "<svg",
                   "max-width:480px", "iframe"):
        assert needle in body
    code = body.split("*/", 1)[1]  # past the usage comment: no address of any other site
    assert "http://" not in code and "https://" not in code
