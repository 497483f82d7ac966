"""What the real-browser tests share: Debian's Chromium driven by Playwright, the chat served by
``app.py`` beside a host page on another port, and asking the chat a question."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from .conftest import ROOT
from .prepare import copy_indexes
from .servers import FIRST_START, free_port, running, serving_folder

# Debian's Chromium when installed, otherwise Playwright's own (None): `make test` installs one
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def served(data: Path, host: Path | None = None, pages: Mapping[str, str] | None = None,
           seconds: float = FIRST_START) -> Iterator[tuple[str, str]]:
    """``app.py`` on a free port with its data in ``data`` and, when ``host`` is given, a static
    server of that folder (an allowed origin) holding ``pages`` (name → HTML, ``{app}`` replaced
    by the chat's address). Yields (the chat's address, the host's, or ""). The server starts
    from a copy of the indexes ``make test`` made (``tests/prepare.py``), when there are any."""
    copy_indexes(data)
    app = f"http://127.0.0.1:{free_port()}"
    with ExitStack() as stack:
        origin = ""
        if host is not None:
            origin = stack.enter_context(serving_folder(host)).rstrip("/")
            for name, html in (pages or {}).items():
                (host / name).write_text(html.replace("{app}", app), encoding="utf-8")
        env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "KAPBOT_RATE_LIMIT_PER_MINUTE": "1000",
               **({"KAPBOT_ALLOWED_ORIGINS": origin} if origin else {})}
        stack.enter_context(running([sys.executable, "app.py", "--port", app.rsplit(":", 1)[1]],
                                    f"{app}/healthz", ROOT, env, seconds))
        yield app, origin + "/" if origin else ""


def ask(page: Any, chat: Any, question: str, placeholder: str = "Type your question…",
        seconds: float = 60) -> str:
    """Type ``question`` into the chat in ``chat`` (the page, or the widget's frame), wait for
    the reply and return its text."""
    box = chat.get_by_placeholder(placeholder)
    box.wait_for(timeout=60_000)
    before = chat.locator(".message").count()
    box.fill(question)
    box.press("Enter")
    return wait_reply(page, chat, before, seconds)


def wait_reply(page: Any, chat: Any, before: int, seconds: float = 60) -> str:
    """The last message once the chat holds two more than ``before`` (the question, its reply)."""
    deadline = time.time() + seconds
    while time.time() < deadline and chat.locator(".message").count() < before + 2:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    return str(chat.locator(".message").last.inner_text())
