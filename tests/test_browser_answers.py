"""Did-you-mean buttons and follow-up questions in the chat, in a real headless browser
(Debian's Chromium driven by Playwright, as in tests/test_browser.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT
from .servers import free_port, wait_for

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def chat_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "KAPBOT_DATA_DIR": str(tmp_path_factory.mktemp("answers-data")),
           "KAPBOT_RATE_LIMIT_PER_MINUTE": "1000"}
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", app, seconds=600)  # a busy machine
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.terminate()
        app.wait(timeout=30)


@pytest.fixture(scope="module")
def page(chat_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(chat_url)
        yield tab
        browser.close()


def _wait_reply(page: Any, before: int) -> str:
    deadline = time.time() + 60
    while time.time() < deadline and page.locator(".message").count() < before + 2:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    return str(page.locator(".message").last.inner_text())


def _send(page: Any, question: str) -> str:
    box = page.get_by_placeholder("Type your question…")
    box.wait_for(timeout=60_000)
    before = page.locator(".message").count()
    box.fill(question)
    box.press("Enter")
    return _wait_reply(page, before)


def test_a_suggestion_button_asks_that_sections_question(chat_url: str, page: Any) -> None:
    question = "how does ketamine work?"
    request = urllib.request.Request(chat_url + "api/ask", json.dumps(
        {"question": question}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        offered = json.loads(response.read())["suggestions"][0]  # what the JSON offers
    _send(page, question)
    offers = page.locator("button.kap-suggestion:visible")
    offers.first.wait_for(timeout=30_000)
    assert page.get_by_text("Did you mean:").is_visible()
    assert offers.first.inner_text() == offered["question"]
    before = page.locator(".message").count()
    offers.first.click()
    reply = _wait_reply(page, before)
    assert f"*{offered['section']}*" in reply or offered["section"] in reply
    assert "Dana's article · " in reply  # the source chip
    asked = page.locator(".message").nth(before).inner_text()
    assert offered["question"] in asked  # asked as if typed


def test_a_follow_up_is_answered_from_the_first_questions_section(page: Any) -> None:
    first = _send(page, "What is ketamine integration?")
    assert "Ketamine integration is an intentional time of reflection" in first
    follow = _send(page, "how long does that take?")
    assert "Dana's article · " in follow and "What is ketamine integration?" in follow
