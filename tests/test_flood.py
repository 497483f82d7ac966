"""Floods: long messages, queue joins and huge chat bodies against the real model and a real
uvicorn server. Figures (CPU time, RSS, latency) are in benchmarks/flood.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from kapbot import wording
from kapbot.bot import Bot
from kapbot.index.embeddings import OnnxEmbedder

from .conftest import ROOT
from .servers import free_port, wait_for

# twenty-odd harmless sentences, then a crisis the rules do not name (the semantic screen does)
FILLER = (
    "I have been reading about the practice. The office looks calm. My sister recommended it. "
    "I work in an office downtown. Parking there is hard. I like the website. We walk every "
    "morning. The weather has been mild. I read a lot. I cook on weekends. I had a cold last "
    "month. I moved here last year. The neighbours are kind. I garden a little. Tomatoes did "
    "well. I drink tea. My job is fine. I take the bus. The bus is slow. I like podcasts. "
)
HIDDEN_CRISIS = "I just want everything to stop for good."
CRISIS = "I want to kill myself"


class Recording:
    """The real ONNX session, counting what each call costs and how many run at once."""

    def __init__(self, session: Any) -> None:
        self.session, self.shapes = session, []  # type: ignore[var-annotated]
        self.running = self.most = 0
        self._lock = threading.Lock()

    def run(self, *args: Any) -> Any:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.shapes.append(args[1]["input_ids"].shape)
        try:
            return self.session.run(*args)
        finally:
            with self._lock:
                self.running -= 1

    @property
    def tokens(self) -> int:
        return sum(rows * width for rows, width in self.shapes)


@pytest.fixture
def recording(real_bot: Bot) -> Iterator[Recording]:
    embedder = real_bot.embedder
    assert isinstance(embedder, OnnxEmbedder)
    session, _ = embedder._load()
    embedder._session = recorder = Recording(session)
    try:
        yield recorder
    finally:
        embedder._session = session


def test_a_crisis_late_in_a_long_message_is_caught(real_bot: Bot) -> None:
    assert real_bot.ask(FILLER + "What does a first session look like?").kind != "crisis"
    message = FILLER + HIDDEN_CRISIS + " Anyway, what does a first session look like?"
    assert len(message) < real_bot.settings.max_question_chars
    assert real_bot.ask(message).safety in ("urgent", "concern")  # the resources come first


def test_screening_a_long_message_costs_a_bounded_amount(real_bot: Bot,
                                                         recording: Recording) -> None:
    message = (FILLER * 5)[: real_bot.settings.max_question_chars]  # ~110 short sentences
    real_bot.screener.check(message)
    # c9a9c39: 13 texts in one call padded to 256 tokens (3,328 token slots), for 12 sentences
    assert recording.tokens <= 1_200, recording.shapes


def test_model_calls_are_bounded_to_the_given_concurrency(real_bot: Bot) -> None:
    settings = real_bot.settings
    embedder = OnnxEmbedder(settings.model_path, settings.learnt("onnx"), concurrency=1)
    session, _ = embedder._load()
    embedder._session = recorder = Recording(session)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda i: embedder.embed([f"{FILLER} {i}"] * 4), range(12)))
    assert len(recorder.shapes) >= 12 and recorder.most == 1


def test_an_over_limit_flood_costs_no_model_work(real_bot: Bot, recording: Recording) -> None:
    from kapbot.safety.overlimit import FULL_SCREENS_PER_MINUTE as BUDGET

    visitor = f"flood-{uuid.uuid4().hex}"
    first = real_bot.limited(HIDDEN_CRISIS, visitor)  # the full screen, within its budget
    assert first.safety in ("urgent", "concern") and "988" in first.text
    within = [real_bot.limited(f"How long is a session? {i}", visitor) for i in range(BUDGET)]
    calls = len(recording.shapes)
    beyond = [real_bot.limited(f"{FILLER} question {i}", visitor) for i in range(40)]
    assert all(wording.RATE_LIMITED in a.text for a in within + beyond)  # resources above, if any
    assert len(recording.shapes) == calls  # past the budget: no model work (c9a9c39: 2 a reply)
    assert real_bot.limited(CRISIS, visitor).kind == "crisis"  # the rules, whatever the budget


def test_the_queue_asks_whether_a_message_is_urgent_without_making_the_reply(
        real_bot: Bot, recording: Recording) -> None:
    """The chat's queue asks of every event it holds back whether the rules find it urgent:
    a yes or no, as ``crisis_reply`` would say, with no model work and no reply made."""
    calls = len(recording.shapes)
    assert real_bot.is_urgent(CRISIS, semantic=False)
    assert real_bot.over_limit.crisis_reply(CRISIS, full=False) is not None
    assert not real_bot.is_urgent("How long is a session?", semantic=False)
    assert not real_bot.is_urgent("", semantic=False)
    assert real_bot.over_limit.crisis_reply("How long is a session?", full=False) is None
    assert len(recording.shapes) == calls  # the rules only


# -- a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    port = free_port()
    data = tmp_path_factory.mktemp("flood-data")
    log_path = data / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "KAPBOT_DATA_DIR": str(data)}, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
        yield base, log_path
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _join(client: httpx.Client, base: str, message: object, history: object = None
          ) -> tuple[str, httpx.Response]:
    session = uuid.uuid4().hex[:12]
    body = {"data": [message, history or [], None, None, ""], "fn_index": 1, "trigger_id": 6,
            "session_hash": session, "event_data": None}
    return session, client.post(base + "/gradio_api/queue/join", json=body, timeout=60)


def _result(client: httpx.Client, base: str, session: str) -> Any:
    """The chat's reply to an event, read from Gradio's stream like the page does."""
    with client.stream("GET", base + "/gradio_api/queue/data", params={"session_hash": session},
                       timeout=300) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message["output"]["data"]
    raise AssertionError("the stream ended without a reply")


def _drained(log_path: Path, quiet: float = 2.0, most: float = 180.0) -> None:
    """Wait until the server's log stops growing: the queued events of earlier floods are done
    (each answer logs one line), so a test measures its own requests only."""
    deadline, size, since = time.time() + most, -1, time.time()
    while time.time() < deadline:
        now = log_path.stat().st_size
        if now != size:
            size, since = now, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(0.2)


def _flood(base: str, address: str, joins: int) -> list[int]:
    """``joins`` chat events from one loopback address, never read (as a flood does)."""
    with httpx.Client(transport=httpx.HTTPTransport(local_address=address)) as client:
        return [_join(client, base, f"how long is a session? {i}")[1].status_code
                for i in range(joins)]


def test_a_flood_of_joins_never_refuses_a_crisis(server: tuple[str, Path]) -> None:
    base, _ = server
    addresses = ["127.0.0.1", *(f"127.0.0.{n}" for n in range(2, 10))]
    with ThreadPoolExecutor(len(addresses)) as pool:
        statuses = [s for run in pool.map(lambda a: _flood(base, a, 80), addresses) for s in run]
    with httpx.Client() as client:  # 127.0.0.1: its own joins and questions are spent
        session, joined = _join(client, base, CRISIS)
        assert joined.status_code == 200, joined.text
        history = _result(client, base, session)[1]
        reply = json.dumps(history[-1]["content"])
        assert "Call or text 988" in reply and reply.index("988") < reply.index("911")
        asked = client.post(base + "/api/ask", json={"question": CRISIS}, timeout=60)
        assert asked.status_code == 200 and asked.json()["kind"] == "crisis"
        text = asked.json()["text"]
        assert text.index("988") < text.index("911")
        refused = _join(client, base, "how long is a session?")[1]
        assert refused.status_code in (429, 503) and len(refused.content) < 300
    assert statuses.count(200) <= len(addresses) * 60  # held back: 60 joins a visitor a minute


def test_a_crisis_only_the_model_sees_gets_past_a_spent_join_limit(
        server: tuple[str, Path]) -> None:
    base, log_path = server
    _drained(log_path)
    statuses = _flood(base, "127.0.0.30", 61)
    assert statuses.count(200) == 60 and statuses[-1] == 429
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.30")) as client:
        session, joined = _join(client, base, HIDDEN_CRISIS)  # the rules do not name it
        assert joined.status_code == 200, joined.text
        reply = json.dumps(_result(client, base, session)[1][-1]["content"])
        assert "Call or text 988" in reply


def test_chat_bodies_are_capped_and_the_history_trimmed(server: tuple[str, Path]) -> None:
    base, log_path = server
    _drained(log_path)
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.20")) as client:
        logged = log_path.stat().st_size
        big = [{"role": "user", "content": "x" * 1000}] * 1000  # 1 MB of history
        _, response = _join(client, base, "how long is a session?", big)
        assert response.status_code == 413
        assert response.json()["detail"] == wording.CHAT_TOO_BIG
        broken = client.post(base + "/gradio_api/queue/join", content=b"[" * 3_000_000,
                             headers={"content-type": "application/json"}, timeout=60)
        assert broken.status_code == 413
        _, response = _join(client, base, "how long is a session?", [{"role": "?"}] * 1800)
        assert response.status_code == 200  # 61 KB of malformed turns: the last ones are read
        time.sleep(1)
        assert log_path.stat().st_size - logged < 10_000  # c9a9c39: 311 KB for that one
        history = [{"role": role, "content": [{"type": "text", "text": f"turn {i}"}]}
                   for i in range(15) for role in ("user", "assistant")]
        session, response = _join(client, base, "how long is a session?", history)
        assert response.status_code == 200
        shown = _result(client, base, session)[1]
        assert 2 < len(shown) <= 22 and "turn 14" in json.dumps(shown[-3])
