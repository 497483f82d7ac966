"""The web app, served for real by uvicorn on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT
from .servers import free_port

pytestmark = pytest.mark.slow



def _request(url: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    data = tmp_path_factory.mktemp("web-data")
    log = (data / "server.log").open("w")
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "KAPBOT_RATE_LIMIT_PER_MINUTE": "1000"}
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            try:
                if _request(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _ask(base: str, payload: Any) -> tuple[int, dict[str, Any]]:
    status, _, body = _request(base + "/api/ask", json.dumps(payload).encode())
    return status, json.loads(body)


def test_healthz(server: str) -> None:
    status, _, body = _request(server + "/healthz")
    data = json.loads(body)
    assert status == 200 and data["status"] == "ok" and data["chunks"] > 100
    assert len(data["index_hash"]) == 16


def test_api_ask_is_the_cli_contract(server: str) -> None:
    status, data = _ask(server, {"question": "What is ketamine integration?"})
    assert status == 200
    assert list(data) == ["question", "kind", "text", "sources", "disclaimer", "booking_url",
                          "safety", "suggestions", "language"]
    assert data["kind"] == "answer"
    assert data["sources"][0]["section"] == "What is ketamine integration?"
    assert data["text"].endswith(f"[Book a free discovery call]({data['booking_url']})")


@pytest.mark.parametrize("payload", [
    {}, {"question": ""}, {"question": None}, {"question": ["a"]}, [1, 2], "text",
    {"question": "<img src=x onerror=alert(1)>"}, {"question": "x" * 100_000},
])
def test_api_bad_input_is_kind_and_inert(server: str, payload: Any) -> None:
    status, data = _ask(server, payload)
    assert status == 200
    assert data["kind"] == "invalid"
    assert "onerror" not in json.dumps(data)
    assert "Book a free discovery call" in data["text"]


def test_api_refuses_huge_and_broken_bodies_cleanly(server: str) -> None:
    status, _, body = _request(server + "/api/ask", b'{"question": "' + b"a" * 1_000_000 + b'"}')
    assert status == 413
    assert json.loads(body)["kind"] == "invalid"
    status, _, body = _request(server + "/api/ask", b"\xff\xfe not json")
    assert status == 200 and json.loads(body)["kind"] == "invalid"


def test_safety_page(server: str) -> None:
    status, headers, body = _request(server + "/safety")
    page = body.decode()
    assert status == 200
    assert "Call or text 988" in page and "Dana Nassau" in page
    assert "{therapist}" not in page and "{storage}" not in page and "{practice}" not in page
    assert "What you type is not stored" in page
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "<script" not in page


def test_api_after_crisis_keeps_resources_in_view(server: str) -> None:
    _, data = _ask(server, {"question": "What is ketamine integration?", "after_crisis": True})
    assert data["kind"] == "answer"
    assert data["text"].startswith("*If you're in crisis: call or text **988**")


def test_chat_page_and_its_handler(server: str) -> None:
    status, _, page = _request(server + "/")
    assert status == 200 and b"<html" in page.lower()
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    box, history, *_ = client.predict("What is ketamine integration?", [], api_name="/respond")
    assert box == ""
    assert history[-1]["role"] == "assistant"
    text = json.dumps(history[-1]["content"])
    assert "Ketamine integration is an intentional time" in text
    assert "Book a free discovery call" in text
    kept, history, *_ = client.predict("   ", [], api_name="/respond")
    assert kept == "   "  # an unreadable message stays in the box, nothing is lost
    assert "empty" in json.dumps(history[-1]["content"])
    _, history, *_ = client.predict("I want to kill myself", [], api_name="/respond")
    assert "Call or text 988" in json.dumps(history[-1]["content"])
    _, history, *_ = client.predict("What is ketamine integration?", history, api_name="/respond")
    assert "If you're in crisis" in json.dumps(history[-1]["content"])  # resources stay in view


def test_api_reads_a_follow_up_with_its_history_and_offers_suggestions(server: str) -> None:
    _, first = _ask(server, {"question": "What is ketamine integration?"})
    section = first["sources"][0]["section"]
    _, alone = _ask(server, {"question": "how long does that take?"})
    _, followed = _ask(server, {"question": "how long does that take?",
                                "history": ["What is ketamine integration?"]})
    assert followed["question"] == "how long does that take?"
    assert followed["kind"] == "answer" and followed["sources"][0]["section"] == section
    assert alone["kind"] != "answer" or alone["sources"][0]["section"] != section
    for data in (first, alone, followed):
        assert all(list(s) == ["section", "title", "question"] for s in data["suggestions"])
    _, bad = _ask(server, {"question": "What is ketamine integration?", "history": "nope"})
    assert bad["kind"] == "answer"  # history that is not a list of strings reads as none
