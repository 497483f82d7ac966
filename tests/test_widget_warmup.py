"""The widget's warm-up (issue 14, round 2), in a real Chromium: after the host page has loaded
and the browser is idle, widget.js loads the chat's iframe hidden, so that opening only shows it.
The hidden chat takes no focus, no pointer, nothing from the page's layout; opening while it is
still loading reuses it; ``data-preload="off"`` and the browser's Save-Data skip it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import chromium, served

pytestmark = pytest.mark.slow
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000,
           "uploadThroughput": 84_375}  # DevTools' preset, as in benchmarks/first_open.py
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A practice</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>A practice</h1><p>Some text about the practice.</p>
<label>Your email <input id="email"></label></main>
<script src="{app}/widget.js" data-color="#6b4fbb" __OPTIONS__ defer></script></body></html>"""
SAVE_DATA = """Object.defineProperty(Navigator.prototype, "connection",
  {get: () => ({saveData: true, effectiveType: "4g"})});"""


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    pages = {"warm.html": PAGE.replace("__OPTIONS__", ""),
             "off.html": PAGE.replace("__OPTIONS__", 'data-preload="off"')}
    with served(tmp_path_factory.mktemp("warm-data"), tmp_path_factory.mktemp("warm-host"),
                pages, seconds=600) as (app, origin):
        yield app, origin


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _chat(page: Any, app: str, seconds: float = 60) -> Any:
    """The chat's frame once its question box is there."""
    for _ in range(int(seconds * 4)):
        frame = next((f for f in page.frames if f.url.startswith(app)), None)
        if frame is not None and frame.locator("#kapbot-box textarea").count():
            return frame
        page.wait_for_timeout(250)
    raise AssertionError("the chat did not load in the widget")


def test_the_chat_is_warmed_hidden_and_opening_shows_it(host: tuple[str, str],
                                                        browser: Any) -> None:
    app, origin = host
    page = browser.new_page(viewport={"width": 390, "height": 844})
    requests: list[Any] = []
    page.on("request", lambda r: requests.append(r))
    page.goto(origin + "warm.html")
    email = page.locator("#email")
    email.click()
    page.keyboard.type("me@")
    layout = page.evaluate("[document.querySelector('main').getBoundingClientRect().toJSON(), "
                           "document.documentElement.scrollHeight]")
    frame = _chat(page, app)  # loaded without the visitor opening anything
    page.wait_for_timeout(1000)  # (the chat's page has had time to take the focus: it must not)
    panel = page.locator(".kapbot-panel")
    assert panel.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    assert panel.evaluate("e => e.inert") is True
    assert panel.get_attribute("aria-hidden") == "true"
    assert page.locator(".kapbot-btn").get_attribute("aria-expanded") == "false"
    # the visitor's typing on the host page is not interrupted: the focus stayed in the field
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("example.org")
    assert email.input_value() == "me@example.org"
    # nothing moved, and the hidden panel does not take the pointer
    assert page.evaluate("[document.querySelector('main').getBoundingClientRect().toJSON(), "
                         "document.documentElement.scrollHeight]") == layout
    assert page.evaluate("document.elementFromPoint(195, 200).closest('.kapbot-panel')") is None
    # Tab goes from the field to the launcher, never into the hidden chat
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "kapbot-btn"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.kapbot-panel')") is None
    assert {r.url.split("/")[2] for r in requests} <= {app.split("/")[2], origin.split("/")[2]}

    loads = [r for r in requests if r.url.startswith(app + "/?color=")]
    assert len(loads) == 1
    page.locator(".kapbot-btn").click()  # opening shows the chat already there
    assert panel.evaluate("e => getComputedStyle(e).visibility") == "visible"
    assert panel.evaluate("e => e.inert") is False and panel.get_attribute("aria-hidden") is None
    box = frame.locator("#kapbot-box textarea")
    assert box.is_visible() and box.is_enabled()
    # now the question box takes the focus (it did not while hidden)
    frame.wait_for_function("document.activeElement.tagName === 'TEXTAREA'", timeout=5_000)
    assert page.evaluate("document.activeElement.className") == "kapbot-frame"
    assert page.locator(".kapbot-frame").count() == 1
    assert len([r for r in requests if r.url.startswith(app + "/?color=")]) == 1  # not reloaded
    # what the visitor types is not sent until they send it
    sent = len(requests)
    box.fill("zebra quartz")
    page.wait_for_timeout(1500)
    assert not any("zebra" in (r.post_data or "") for r in requests[sent:])
    page.keyboard.press("Escape")  # (in the chat's box: the chat asks the widget to close)
    page.locator(".kapbot-panel.kapbot-open").wait_for(state="detached", timeout=5_000)
    assert panel.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    assert panel.evaluate("e => e.inert") is True
    assert page.evaluate("document.activeElement.className") == "kapbot-btn"
    page.close()


def test_opening_while_the_warm_up_loads_reuses_its_frame(host: tuple[str, str],
                                                          browser: Any) -> None:
    """On Fast 3G the chat takes seconds to load: the visitor opens it half-way."""
    app, origin = host
    page = browser.new_page(viewport={"width": 390, "height": 844})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    documents: list[str] = []
    page.on("request", lambda r: documents.append(r.url) if r.url.startswith(app + "/?") else None)
    page.goto(origin + "warm.html")
    page.locator(".kapbot-frame").wait_for(state="attached", timeout=60_000)  # warming up
    assert page.locator("#kapbot-box").count() == 0
    assert not any(f.url.startswith(app) and f.locator("#kapbot-box textarea").count()
                   for f in page.frames)  # not loaded yet
    page.locator(".kapbot-btn").click()
    assert page.locator(".kapbot-panel.kapbot-open").is_visible()
    assert page.locator(".kapbot-frame").count() == 1
    frame = _chat(page, app, seconds=120)
    assert frame.locator("#kapbot-box textarea").is_visible()
    assert documents == [app + "/?color=%236b4fbb"]  # the one warm-up load, not a second
    page.close()


@pytest.mark.parametrize("how", ["data-preload=off", "Save-Data"])
def test_no_warm_up_when_asked_not_to(host: tuple[str, str], browser: Any, how: str) -> None:
    app, origin = host
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    if how == "Save-Data":
        context.add_init_script(SAVE_DATA)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(origin + ("off.html" if how == "data-preload=off" else "warm.html"))
    page.wait_for_load_state("load")
    page.wait_for_timeout(5000)  # past the warm-up's idle timeout (3 s)
    assert page.locator(".kapbot-frame").count() == 0
    assert [u for u in requests if u.startswith(app)] == [app + "/widget.js"]
    page.locator(".kapbot-btn").click()  # then the chat loads on open, as before
    frame = _chat(page, app)
    assert frame.locator("#kapbot-box textarea").is_visible()
    context.close()
