"""Did-you-mean buttons and follow-up questions in the chat, in a real headless browser
(Debian's Chromium driven by Playwright, as in tests/test_browser.py)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import ask, chromium, served, wait_reply

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chat_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("answers-data"), seconds=600) as (app, _):  # busy machine
        yield app + "/"


@pytest.fixture(scope="module")
def page(chat_url: str) -> Iterator[Any]:
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(chat_url)
        yield tab


def _send(page: Any, question: str) -> str:
    return ask(page, page, question)


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
    reply = wait_reply(page, page, before)
    assert f"*{offered['section']}*" in reply or offered["section"] in reply
    assert "Dana's article · " in reply  # the source chip
    asked = page.locator(".message").nth(before).inner_text()
    assert offered["question"] in asked  # asked as if typed


def test_a_follow_up_is_answered_from_the_first_questions_section(page: Any) -> None:
    first = _send(page, "What is ketamine integration?")
    assert "Ketamine integration is an intentional time of reflection" in first
    follow = _send(page, "how long does that take?")
    assert "Dana's article · " in follow and "What is ketamine integration?" in follow
