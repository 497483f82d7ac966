"""The chat as a visitor sees and uses it (issue 14), in a real Chromium: the reply's parts
(source chip, booking button, no share/clear/copy icons), the typing indicator, the notice that
shrinks and keeps 988, the live region, the practice's colour, keyboard-only use with the focus
kept in the open panel, and axe-core (bundled with axe-playwright-python: nothing from a CDN)
on every page at phone and desktop sizes."""

# ruff: noqa: F811  (the fixtures `site` and `browser` are test_browser's, imported by name)
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from kapbot import wording

from .browsing import ask
from .conftest import ROOT
from .servers import free_port, running, serving_folder
from .test_browser import APP, ARTIFACTS, _send, browser, site  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
SIZES = [("phone", PHONE), ("desktop", DESKTOP)]
BOOKING = "https://example.com/REPLACE-WITH-YOUR-BOOKING-PAGE"  # kapbot.toml's placeholder
DID_YOU_MEAN = "how does ketamine work?"  # answered with "did you mean" buttons

# records whether the typing indicator was ever shown (it may last only a few frames)
WATCH_TYPING = """() => { window.__typingSeen = false;
  new MutationObserver(() => { if (document.querySelector('.kap-typing'))
    window.__typingSeen = true; }).observe(document.body, {childList: true, subtree: true}); }"""


def _serious(page_or_frame: Any, iframes: bool = True) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if not iframes:
        options["iframes"] = False
    found = Axe().run(page_or_frame, options=options).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
            for v in found if v["impact"] in ("serious", "critical")]


def _chat_frame(page: Any) -> Any:
    page.locator(".kapbot-frame").wait_for(state="attached")  # (hidden while warmed up)
    for _ in range(240):
        frame = next((f for f in page.frames if f.url.startswith(APP["url"])), None)
        if frame is not None and frame.locator("#kapbot-box textarea").count():
            return frame
        page.wait_for_timeout(250)
    raise AssertionError("the chat did not load in the widget")


@pytest.mark.parametrize("name,viewport", SIZES)
def test_a_reply_has_a_source_chip_a_booking_button_and_no_share_icons(
        site: str, browser: Any, name: str, viewport: dict[str, int]) -> None:
    page = browser.new_page(viewport=viewport)
    page.goto(APP["url"] + "/")
    notice = page.locator("#kapbot-notice")
    notice.wait_for()
    first = notice.bounding_box()
    size = "e => getComputedStyle(e).fontSize"
    assert notice.locator("summary").evaluate(size) == "14px"
    assert "988" in notice.inner_text() and "more" in notice.inner_text()
    assert "monitored" not in notice.inner_text()  # the rest waits behind "more"
    page.locator(".kap-suggestion").nth(3).wait_for()  # (they may render after the notice)
    assert page.locator(".kap-suggestion").count() == 4  # the starter questions as chips
    page.evaluate(WATCH_TYPING)
    _send(page, page, "What is ketamine integration?")
    assert page.evaluate("window.__typingSeen") is True
    assert page.locator(".kap-typing").count() == 0  # and gone with the reply

    chat = page.locator("#kapbot-chat")
    for gone in ("Share", "Clear", "Copy message", "Copy conversation", "Retry", "Undo", "Edit"):
        # (Gradio always renders "Clear"; hidden by CSS, it is neither seen nor reachable)
        assert chat.get_by_label(gone, exact=True).filter(visible=True).count() == 0, gone
    reply = page.locator(".message-row.bot-row").last
    chip = reply.locator(".kap-source")
    assert chip.inner_text() == "Dana's article · What is ketamine integration?"
    assert "Source:" not in reply.inner_text()
    book = reply.locator("a.kap-book")
    assert book.inner_text() == "Book a free discovery call" and book.is_visible()
    assert book.get_attribute("href") == BOOKING
    assert book.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(107, 79, 187)"
    assert book.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"

    # the notice shrank, and still gives 988
    assert page.evaluate("document.body.classList.contains('kap-used')")
    after = notice.bounding_box()
    assert notice.is_visible() and "988" in notice.inner_text()
    assert first and after and after["height"] < first["height"]
    assert notice.locator("summary").evaluate(size) == "12px"
    # the reply was announced once, as text
    live = page.locator("#kap-live")
    assert live.get_attribute("aria-live") == "polite"
    assert "intentional time of reflection" in live.inner_text()
    assert "<" not in live.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"look-answer-{name}.png"))
    page.close()


def test_a_starter_chip_asks_its_question(site: str, browser: Any) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(APP["url"] + "/")
    page.locator(".kap-suggestion").first.wait_for()
    page.locator(".kap-suggestion", has_text="What happens during a ketamine session?").click()
    page.locator(".message-row.bot-row").first.wait_for(timeout=60_000)
    assert "What happens during a ketamine session?" in page.locator(".user-row").inner_text()
    assert page.locator(".message-row.bot-row a.kap-book").count() == 1
    page.close()


@pytest.fixture(scope="module")
def yellow_host(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second host page whose script tag asks for yellow."""
    folder = tmp_path_factory.mktemp("yellow")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>A yellow practice</title></head><body>'
        f'<main><h1>A practice</h1></main><script src="{APP["url"]}/widget.js" '
        'data-color="#FFD400" defer></script></body></html>', encoding="utf-8")
    with serving_folder(folder) as url:
        yield url


def test_the_practices_colour_reaches_the_chat_with_readable_text(yellow_host: str,
                                                                   browser: Any) -> None:
    """A light colour (yellow, 1.4:1 with white) gets dark text on the launcher, the panel's
    header and the chat's buttons; the chat page takes the colour from the widget."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(yellow_host)
    launcher = page.locator(".kapbot-btn")
    assert launcher.evaluate("e => getComputedStyle(e).color") == "rgb(26, 26, 26)"
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 212, 0)"
    launcher.click()
    head = page.locator(".kapbot-head")
    assert head.evaluate("e => getComputedStyle(e).color") == "rgb(26, 26, 26)"
    src = page.locator(".kapbot-frame").get_attribute("src")
    assert src == APP["url"] + "/?color=%23ffd400"
    chat = browser.new_page(viewport=PHONE)  # (this host is not allowed to frame the chat)
    chat.goto(src)
    send = chat.locator("#kapbot-send")
    send.wait_for()
    assert send.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 212, 0)"
    assert send.evaluate("e => getComputedStyle(e).color") == "rgb(26, 26, 26)"
    chat.goto(APP["url"] + "/?color=red")  # not a hex colour: the default
    assert chat.locator("#kapbot-send").evaluate(
        "e => getComputedStyle(e).backgroundColor") == "rgb(107, 79, 187)"
    chat.close()
    page.close()


def test_keyboard_only_asks_and_opens_the_booking_link(site: str, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    context.route("https://example.com/**", lambda route: route.fulfill(body="booking page"))
    page = context.new_page()
    page.goto(site)
    launcher = page.locator(".kapbot-btn")
    launcher.wait_for()
    frame = _chat_frame(page)  # the widget's warm-up: the chat loaded, hidden, before opening
    for _ in range(10):  # Tab until the launcher has the focus (never into the hidden chat)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "kapbot-btn":
            break
    ring = launcher.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + "
                             "getComputedStyle(e).outlineWidth")
    assert ring == "solid 3px"  # the visible focus ring
    page.keyboard.press("Enter")
    assert page.locator(".kapbot-panel.kapbot-open").is_visible()
    assert _chat_frame(page) == frame  # opening showed the warmed chat, not a new one
    # the question box takes the focus once the chat is seen
    frame.wait_for_function("document.activeElement.tagName === 'TEXTAREA' && "
                            "!!document.activeElement.closest('#kapbot-box')", timeout=5_000)
    assert page.evaluate("document.activeElement.className") == "kapbot-frame"
    page.locator(".kapbot-close").focus()
    # Shift+Tab from the close button stays in the panel: the chat's last control
    page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.className") == "kapbot-frame"
    assert frame.evaluate("document.activeElement.id") == "kapbot-send"
    # Tab past the chat's last control comes back to the close button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "kapbot-close"
    for _ in range(30):  # Tab into the chat, to a suggestion chip
        page.keyboard.press("Tab")
        if "kap-suggestion" in frame.evaluate("document.activeElement.className"):
            break
    asked = frame.evaluate("document.activeElement.textContent").strip()
    page.keyboard.press("Enter")
    frame.locator(".message-row.bot-row a.kap-book").wait_for(timeout=60_000)
    assert asked in frame.locator(".user-row").first.inner_text()
    for _ in range(30):  # on to the question box
        page.keyboard.press("Tab")
        if frame.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
    page.keyboard.type("What is ketamine integration?")
    page.keyboard.press("Enter")
    frame.locator(".message-row.bot-row").nth(1).wait_for(timeout=60_000)
    frame.locator(".message-row.bot-row").nth(1).locator("a.kap-book").wait_for()
    frame.locator("#kapbot-send").focus()
    for _ in range(40):  # Shift+Tab back to the booking button of the reply
        page.keyboard.press("Shift+Tab")
        if frame.evaluate("document.activeElement.className") == "kap-book":
            break
    assert frame.evaluate("document.activeElement.textContent") == "Book a free discovery call"
    with context.expect_page() as popup:
        page.keyboard.press("Enter")
    assert popup.value.url == BOOKING
    popup.value.close()
    page.bring_to_front()
    # a "did you mean" button, reached and pressed by keyboard, asks its question
    for _ in range(40):  # on to the question box
        page.keyboard.press("Tab")
        if frame.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
    page.keyboard.type(DID_YOU_MEAN)
    page.keyboard.press("Enter")
    offers = frame.locator("#kapbot-suggestions .kap-suggestion")
    offers.first.wait_for(timeout=60_000)
    # the focus trap's way back: Shift+Tab from the close button reaches the last suggestion
    page.locator(".kapbot-close").focus()
    page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(300)
    assert frame.evaluate("document.activeElement.textContent").strip() == \
        offers.filter(visible=True).last.inner_text().strip()
    frame.locator("#kapbot-box textarea").focus()
    for _ in range(10):  # Tab from the box to the first suggestion
        page.keyboard.press("Tab")
        if frame.evaluate("!!document.activeElement.closest('#kapbot-suggestions')"):
            break
    offered = frame.evaluate("document.activeElement.textContent").strip()
    assert offered and offered == offers.first.inner_text().strip()
    page.keyboard.press("Enter")
    frame.locator(".message-row.bot-row").nth(3).wait_for(timeout=60_000)
    assert offered in frame.locator(".user-row").nth(3).inner_text()  # asked as if typed
    frame.locator("#kapbot-box textarea").focus()
    page.keyboard.press("Escape")
    page.locator(".kapbot-panel.kapbot-open").wait_for(state="hidden", timeout=5_000)
    assert page.evaluate("document.activeElement.className") == "kapbot-btn"
    context.close()


def test_the_chat_still_works_at_200_percent_zoom(site: str, browser: Any) -> None:
    """A 1280x860 window at 200%: a 640x430 CSS viewport at twice the pixels."""
    page = browser.new_page(viewport={"width": 640, "height": 430}, device_scale_factor=2)
    page.goto(APP["url"] + "/")
    _send(page, page, "What is ketamine integration?")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for part in ("#kapbot-box textarea", "#kapbot-send", "#kapbot-notice"):
        page.locator(part).scroll_into_view_if_needed()
        assert page.locator(part).is_visible(), part
    assert page.locator(".message-row.bot-row a.kap-book").is_visible()
    page.close()


@pytest.fixture(scope="module")
def review_url() -> Iterator[str]:
    """`kapbot serve --review` on the shipped corpus, nothing taught."""
    port = free_port()
    data = ROOT / ".test-cache" / f"review-look-{port}"
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data)}
    try:
        with running([sys.executable, "-m", "kapbot.cli", "serve", "--review", "--port",
                      str(port)], f"http://127.0.0.1:{port}/healthz", ROOT, env):
            yield f"http://127.0.0.1:{port}/"
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.parametrize("name,viewport", SIZES)
def test_axe_finds_nothing_serious(site: str, browser: Any, review_url: str, name: str,
                                   viewport: dict[str, int]) -> None:
    page = browser.new_page(viewport=viewport)
    problems: dict[str, list[str]] = {}
    page.goto(APP["url"] + "/")
    page.locator("#kapbot-box textarea").wait_for()
    # (until the page's load event is done: Gradio fades the notice and shows a faint timer
    # while it runs, which axe catches half the time)
    page.wait_for_function("!document.querySelector('.progress-text, .pending')")
    page.wait_for_timeout(300)
    problems["chat"] = _serious(page)
    _send(page, page, "What is ketamine integration?")
    problems["chat with a reply"] = _serious(page)
    page.goto(APP["url"] + "/safety")
    problems["/safety"] = _serious(page)
    page.goto(site)
    frame = _chat_frame(page)  # warmed up, closed: hidden, aria-hidden and inert
    problems["host page, chat warmed up and closed"] = _serious(page, iframes=False)
    page.locator(".kapbot-btn").click()
    page.wait_for_function(  # (the panel's opening fade: its text is faint until it ends)
        "document.querySelector('.kapbot-panel').getAnimations().length === 0")
    problems["host page, widget open"] = _serious(page, iframes=False)
    problems["chat in the widget"] = _serious(frame)
    page.goto(review_url)
    _send(page, page, "What is ketamine integration?")
    problems["review mode"] = _serious(page)
    page.close()
    assert {k: v for k, v in problems.items() if v} == {}


def _get(path: str, gzip: bool = True) -> tuple[dict[str, str], bytes]:
    import urllib.request

    headers = {"Accept-Encoding": "gzip, br"} if gzip else {}
    with urllib.request.urlopen(urllib.request.Request(APP["url"] + path, headers=headers),
                                timeout=60) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def test_pages_are_compressed_and_assets_cached(site: str) -> None:
    import gzip
    import re

    headers, body = _get("/")
    assert headers["content-encoding"] == "gzip"
    page = gzip.decompress(body)
    assert len(body) * 4 < len(page)  # the page's inline config compresses well
    # the security headers stay on the compressed page
    assert headers["content-security-policy"].startswith("frame-ancestors 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    plain, same = _get("/", gzip=False)  # a client without gzip gets the page as it is
    assert "content-encoding" not in plain and len(same) == len(page)
    asset = re.search(rb'src="\./(assets/index-[^"]+\.js)"', page)
    assert asset is not None
    headers, _ = _get("/" + asset.group(1).decode())
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] in ("br", "gzip")
    headers, _ = _get("/safety")
    assert headers["content-encoding"] == "gzip"
    assert headers["content-security-policy"].startswith("default-src 'none'")


def test_the_page_head_names_the_practice_and_no_other_host(site: str) -> None:
    import gzip
    import re

    page = gzip.decompress(_get("/")[1]).decode()
    head = page[: page.index("</head>")]
    assert re.search(r"<title>Questions about ketamine-assisted psychotherapy · Dana Nassau, "
                     r"LMFT</title>", head)
    assert 'og:site_name" content="Dana Nassau, LMFT"' in head
    for word in ("gradio.app", "huggingface", "githubusercontent", "og:image", "twitter:",
                 "fonts.googleapis"):
        assert word not in head, word
    hosts = {h for h in re.findall(r"https?://([^/\"'\\\s<>]+)", head)}
    assert hosts <= {APP["url"].removeprefix("http://"), "example.com"}, hosts  # (booking)


def test_dark_mode_is_followed_and_readable(site: str, browser: Any) -> None:
    page = browser.new_page(viewport=PHONE, color_scheme="dark")
    page.goto(APP["url"] + "/")
    _send(page, page, "What is ketamine integration?")
    assert page.evaluate("document.body.classList.contains('dark')")
    assert _serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "state-answer-dark-phone.png"))
    page.close()


def test_reduced_motion_stops_the_typing_animation(site: str, browser: Any) -> None:
    page = browser.new_page(viewport=PHONE, reduced_motion="reduce")
    page.goto(APP["url"] + "/")
    page.locator("#kapbot-box textarea").wait_for()
    page.evaluate("""() => { const d = document.createElement('span'); d.className = 'kap-dot';
        d.id = 'probe'; document.querySelector('#kapbot-chat .bubble-wrap').appendChild(d); }""")
    assert page.locator("#probe").evaluate("e => getComputedStyle(e).animationName") == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert page.locator("#probe").evaluate("e => getComputedStyle(e).animationName") == \
        "kap-bounce"
    page.close()


# the host page's script tag with data-lang="es" and no English data-label (set before the
# deferred widget.js runs; a page of another origin would not be allowed to frame the chat)
SPANISH_TAG = """new MutationObserver((_, seen) => {
  const tag = document.querySelector('script[src$="/widget.js"]');
  if (tag) { tag.setAttribute("data-lang", "es"); tag.removeAttribute("data-label");
    seen.disconnect(); }
}).observe(document, {childList: true, subtree: true});"""


@pytest.mark.parametrize("name,viewport", SIZES)
def test_screenshots_of_each_state(site: str, browser: Any, review_url: str, name: str,
                                   viewport: dict[str, int]) -> None:
    """test-artifacts/state-*.png, for a person to look at: closed, open with the notice, an
    answer, an answer with "did you mean" buttons, a crisis reply, Spanish (the widget's
    data-lang="es", an answer), review mode."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=viewport)
    page.goto(site)
    page.locator(".kapbot-btn").wait_for()
    page.screenshot(path=str(ARTIFACTS / f"state-closed-{name}.png"))
    page.locator(".kapbot-btn").click()
    frame = _chat_frame(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"state-open-{name}.png"))
    _send(page, frame, "What should I do to prepare for a ketamine session?")
    page.screenshot(path=str(ARTIFACTS / f"state-answer-{name}.png"))
    _send(page, frame, DID_YOU_MEAN)
    offers = frame.locator("#kapbot-suggestions .kap-suggestion")
    offers.first.wait_for(timeout=30_000)
    assert frame.get_by_text("Did you mean:").is_visible()
    assert frame.evaluate("""() => [...document.querySelectorAll('#kapbot-suggestions button')]
      .filter(b => b.offsetParent).every(b => b.getBoundingClientRect().right <=
        document.documentElement.clientWidth && b.getBoundingClientRect().bottom <=
        innerHeight)""")  # long questions wrap, none cut off, all on screen
    assert frame.evaluate("scrollY") == 0  # the notice still in view at the top
    page.screenshot(path=str(ARTIFACTS / f"state-suggestions-{name}.png"))
    _send(page, frame, "I want to end my life tonight")
    last = frame.locator(".message-row.bot-row").last
    text = last.inner_text()
    assert text.index("988") < text.index("Book a free discovery call")
    # the long reply is shown from its start: the first number is in view, not scrolled past
    line = last.get_by_text("Call or text 988", exact=True).bounding_box()
    view = frame.locator("#kapbot-chat .bubble-wrap").bounding_box()
    assert line and view and view["y"] <= line["y"] <= view["y"] + view["height"] - line["height"]
    page.screenshot(path=str(ARTIFACTS / f"state-crisis-{name}.png"))
    page.close()
    page = browser.new_page(viewport=viewport)  # the host page, its script tag in Spanish
    page.add_init_script(SPANISH_TAG)
    page.goto(site)
    assert page.locator(".kapbot-btn").inner_text().strip() == "¿Preguntas sobre KAP?"
    page.locator(".kapbot-btn").click()
    frame = _chat_frame(page)
    reply = ask(page, frame, "¿Cómo me preparo para mi primera sesión con ketamina?",
                wording.ES["INPUT_PLACEHOLDER"], seconds=90)
    assert "Artículo de Dana · " in reply and wording.ES["BOOK_BUTTON"] in reply
    assert "Fuente:" not in reply  # the source line became the chip
    page.screenshot(path=str(ARTIFACTS / f"state-spanish-{name}.png"))
    page.close()
    page = browser.new_page(viewport=viewport)
    page.goto(review_url)
    _send(page, page, "What is ketamine integration?")
    page.screenshot(path=str(ARTIFACTS / f"state-review-{name}.png"))
    page.close()
    for state in ("closed", "open", "answer", "suggestions", "crisis", "spanish", "review"):
        assert (ARTIFACTS / f"state-{state}-{name}.png").stat().st_size > 10_000
