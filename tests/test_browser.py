"""The widget in a real headless browser (Debian's Chromium driven by Playwright): a host page on
another port embeds /widget.js; a visitor opens the chat and asks. Screenshots go to
test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browsing import ask, chromium, served
from .conftest import ROOT
from .servers import free_port, running

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"




DATA: dict[str, Path] = {}
APP: dict[str, str] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    DATA["dir"] = data
    embed = (ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    page = embed.replace("http://127.0.0.1:7860/widget.js", "{app}/widget.js")
    with served(data, tmp_path_factory.mktemp("host"), {"index.html": page}) as (app, host):
        APP["url"] = app
        yield host


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _send(page: Any, chat: Any, question: str) -> Any:
    """Type ``question`` into the chat in ``chat`` (the page, or the widget's frame) and wait
    for the reply."""
    ask(page, chat, question)
    return chat


def _ask(page: Any, question: str) -> Any:
    return _send(page, page.frame_locator(".kapbot-frame"), question)


@pytest.mark.parametrize("name,viewport", [("phone", {"width": 390, "height": 844}),
                                           ("desktop", {"width": 1280, "height": 860})])
def test_visitor_opens_the_widget_and_asks(site: str, browser: Any, name: str,
                                           viewport: dict[str, int]) -> None:
    page = browser.new_page(viewport=viewport)
    hosts: set[str] = set()
    dialogs: list[str] = []
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site)
    bubble = page.locator(".kapbot-btn")
    bubble.click()
    assert page.locator(".kapbot-panel.kapbot-open").is_visible()
    frame = _ask(page, "What is ketamine integration?")
    text = frame.locator("body").inner_text()
    assert "Ketamine integration is an intentional time of reflection" in text
    assert "What is ketamine integration?" in text  # the source section
    assert "This is an automated assistant" in text
    assert frame.get_by_text("Book a free discovery call").first.is_visible()
    frame.get_by_label("Like").last.click()  # thumbs up on that reply
    page.wait_for_timeout(1000)

    frame = _ask(page, "<img src=x onerror=alert(1)> how long is a session?")
    assert frame.locator("img[src='x']").count() == 0
    assert dialogs == []
    frame.get_by_label("Dislike").last.click()  # thumbs down: counted as a gap, without text
    page.wait_for_timeout(1000)

    frame = _ask(page, "I want to end my life tonight")
    last = frame.locator(".message").last.inner_text()
    assert last.index("988") < last.index("Book a free discovery call")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))
    if name == "phone":
        box = page.locator(".kapbot-panel").bounding_box()
        assert box and box["width"] >= 380  # full screen on a narrow phone
    page.keyboard.press("Escape")  # focus is in the chat's text box, inside the iframe
    page.locator(".kapbot-panel.kapbot-open").wait_for(state="hidden", timeout=5_000)
    assert page.evaluate("document.activeElement.className") == "kapbot-btn"
    assert all(h.startswith("127.0.0.1:") for h in hosts), hosts  # nothing from anywhere else
    import sqlite3

    rows = sqlite3.connect(DATA["dir"] / "feedback.sqlite3").execute(
        "SELECT rating, kind, sources, question FROM feedback").fetchall()
    assert ("up", "answer") in [(r[0], r[1]) for r in rows]
    assert all(r[3] is None for r in rows)  # no text without the storage opt-in
    assert any("What is ketamine integration?" in r[2] for r in rows)
    gaps = sqlite3.connect(DATA["dir"] / "gaps.sqlite3").execute(
        "SELECT event, topic, section FROM gaps").fetchall()
    assert ("down",) in [(g[0],) for g in gaps] and all(g[1] and g[2] for g in gaps)
    assert not any("onerror" in g[1] for g in gaps)  # never the visitor's own words
    page.close()


STORAGE = """async () => {
  const out = {local: JSON.stringify({...localStorage}), idb: []};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = ko; });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok, ko) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => ok(r.result); r.onerror = ko; });
      out.idb.push(info.name + "/" + name + ": " + JSON.stringify(rows));
    }
    db.close();
  }
  return out;
}"""


def test_nothing_is_kept_in_the_visitors_browser(site: str, browser: Any) -> None:
    """Gradio's run history would keep each question and reply in the browser, readable by
    the next person at that computer (issue 10, point 3)."""
    page = browser.new_page()
    page.goto(APP["url"] + "/")
    _send(page, page, "What is ketamine integration, zebra quartz?")
    assert "intentional time of reflection" in page.locator(".message").last.inner_text()
    page.wait_for_timeout(1500)  # what Gradio saves, it saves after the reply
    stored = page.evaluate(STORAGE)
    kept = stored["local"] + " ".join(stored["idb"])
    assert "zebra quartz" not in kept and "intentional time of reflection" not in kept, kept[:500]
    assert page.goto(APP["url"] + "/gradio_api/runs").status == 404
    page.close()


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`kapbot serve --review` on a copy of the corpus (teaching edits it), after writing the
    eval report page into the same data folder."""
    root = tmp_path_factory.mktemp("review")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    port = free_port()
    env = {**os.environ, "KAPBOT_DATA_DIR": str(root / "data"),
           "KAPBOT_CORPUS_DIR": str(root / "corpus")}
    report = subprocess.run(
        [sys.executable, "-m", "kapbot.cli", "eval", "evals/questions.jsonl", "--quiet",
         "--html", str(root / "report.html")], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600)
    # 0: all bars met; 1: the page says which were missed (both are pages worth rendering)
    assert report.returncode in (0, 1), report.stdout + report.stderr
    with running([sys.executable, "-m", "kapbot.cli", "serve", "--review", "--port", str(port)],
                 f"http://127.0.0.1:{port}/healthz", ROOT, env):
        yield f"http://127.0.0.1:{port}/", root


def test_review_mode_explains_replies_and_teaches(review: tuple[str, Path], browser: Any) -> None:
    url, root = review
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(url)
    _send(page, page, "What is ketamine integration?")
    panel = page.locator("#kapbot-review")
    text = panel.inner_text()
    assert "Kind: answer (quoted the writing)" in text
    assert "Decided by: retrieval: answered:" in text and "threshold 0.500" in text
    assert "✔ quoted" in text and "what-is-ketamine-integration" in text
    _send(page, page, "Do you take insurance?")
    text = panel.inner_text()
    assert text.index("Do you take insurance?") < text.index("What is ketamine integration?")
    assert "Kind: no_answer" in text and "Decided by: retrieval:" in text

    question = "what do I do with everything that came up during the journey?"
    _send(page, page, question)
    pick = page.locator("#kapbot-teach-section input")
    pick.click()
    pick.fill("What is ketamine integration")
    page.get_by_role("option", name=re.compile("What is ketamine integration")).first.click()
    page.locator("#kapbot-teach").click()
    page.get_by_text("Added to do-i-need-a-therapist-for-ketamine-therapy.md").wait_for(
        timeout=180_000)
    assert f"+- {question}" in page.locator("#kapbot-taught").inner_text()
    assert f"- {question}" in (
        root / "corpus" / "do-i-need-a-therapist-for-ketamine-therapy.md").read_text()
    _send(page, page, question)  # now answered from the section it was taught to
    reply = page.locator(".message").last.inner_text()
    assert "Dana's article · What is ketamine integration?" in reply  # the source chip
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-desktop.png"), full_page=True)
    assert all(h.startswith("127.0.0.1:") for h in hosts), hosts
    page.close()


def test_eval_report_page_renders(review: tuple[str, Path], browser: Any) -> None:
    _, root = review
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    page.goto((root / "report.html").as_uri())
    assert page.locator("h1").inner_text().startswith("kapbot eval · Dana Nassau, LMFT")
    verdict = page.locator(".verdict").inner_text()
    assert verdict == "All bars met" or verdict.startswith("Missed: ")
    assert page.locator(".chart svg").count() == 1
    box = page.locator(".chart svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 200
    assert page.locator("tr.pass").count() >= 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "eval-report.png"))
    page.close()


def test_a_concern_reply_shows_the_resources_above_the_quote(site: str, browser: Any) -> None:
    """The safety issue's middle tier: the crisis resources first, then the answer below (which
    section answers is the ranker's business: this checks the layout)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(APP["url"] + "/")
    _send(page, page, "I've been having thoughts of suicide lately. What is ketamine integration?")
    last = page.locator(".message").last.inner_text()
    assert "Call or text 988" in last and "From Dana Nassau's" in last
    assert last.index("988") < last.index("From Dana Nassau's")
    assert last.index("From Dana Nassau's") < last.index("Book a free discovery call")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "concern-phone.png"))
    page.close()
