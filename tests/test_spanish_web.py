"""Spanish in the served app: the widget with ``data-lang="es"`` in a real headless browser
(Debian's Chromium driven by Playwright), ``/api/ask`` with a language hint, and
``/safety?lang=es``. Screenshots go to test-artifacts/ for a fluent person to read."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from kapbot import wording

from .browsing import ask, chromium, served, wait_reply
from .conftest import ROOT

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"
APP: dict[str, str] = {}
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
</head><body><h1>A practice's page</h1>
<script src="{app}/widget.js" data-lang="es" defer></script></body></html>"""
HTML_LANG_PAGE = """<!doctype html><html lang="es-MX"><head><meta charset="utf-8">
<title>Host</title></head><body><script src="{app}/widget.js" defer></script></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pages = {"index.html": HOST_PAGE, "html-lang.html": HTML_LANG_PAGE}
    with served(tmp_path_factory.mktemp("spanish-data"), tmp_path_factory.mktemp("spanish-host"),
                pages) as (app, host):
        APP["url"] = app
        yield host


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _ask(page: Any, frame: Any, question: str) -> str:
    """Type ``question`` in the chat (the Spanish placeholder) and return the last reply."""
    return ask(page, frame, question, wording.ES["INPUT_PLACEHOLDER"], seconds=90)


def test_the_widget_in_spanish(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(site)
    button = page.locator(".kapbot-btn")
    assert button.inner_text().strip() == "¿Preguntas sobre KAP?"
    button.click()
    frame = page.frame_locator(".kapbot-frame")
    # the notice, labels and starters in Spanish, from the open
    # the one-line notice
    notice = frame.locator("#kapbot-notice summary")
    frame.get_by_text("Asistente automático", exact=True).wait_for(timeout=60_000)
    assert notice.inner_text().startswith("Asistente automático, no es Dana Nassau")
    assert "988" in notice.inner_text() and notice.inner_text().endswith("más")
    notice.click()  # "más" opens the whole notice
    frame.get_by_text("Está chateando con un asistente automático").wait_for()
    assert frame.locator("html").get_attribute("lang") == "es"  # for screen readers
    body = frame.locator("body").inner_text()
    assert "Preguntas sobre la psicoterapia asistida con ketamina" in body
    assert wording.ES_STARTERS[0] in body and wording.STARTERS[0] not in body
    assert frame.get_by_role("button", name="Enviar").is_visible()
    assert frame.get_by_text(wording.ES["BOOK_BUTTON"]).first.is_visible()
    link = frame.get_by_role("link", name="Cómo maneja este asistente la seguridad y la privacidad")
    assert link.get_attribute("href") == "/safety?lang=es"

    # a Spanish question: Spanish framing, the English quote unchanged, Spanish footer
    reply = _ask(page, frame, "¿Cómo me preparo para mi primera sesión con ketamina?")
    assert reply.startswith("Dana Nassau escribe en inglés, así que esta cita de su artículo")
    assert "One of the most important aspects of your ketamine session is the setting." in reply
    assert "Artículo de Dana · " in reply  # the source chip
    assert "Este es un asistente automático" in reply
    assert "Reserve una llamada inicial gratuita" in reply
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "spanish-answer.png"))

    # "did you mean" in Spanish: a button asks a Spanish question of its section, and its
    # reply stays in Spanish and quotes that section
    question = "¿Qué pasa después de la sesión?"
    offered = _post(question)["suggestions"][0]  # what the JSON offers
    _ask(page, frame, question)
    offers = frame.locator("button.kap-suggestion:visible")
    offers.first.wait_for(timeout=30_000)
    assert frame.get_by_text(wording.ES["SUGGESTIONS_LABEL"]).is_visible()
    assert offers.first.inner_text() == offered["question"]
    before = frame.locator(".message").count()
    offers.first.click()
    reply = wait_reply(page, frame, before, 90)
    assert reply.startswith(f"Dana Nassau escribe en inglés, así que esta cita de su artículo, "
                            f"{offered['section']}, va en inglés")
    assert offered["question"] in frame.locator(".message").nth(before).inner_text()

    # a Spanish crisis message: 988 first, in Spanish, nothing from the article
    reply = _ask(page, frame, "tengo las pastillas en la mano y esta noche me voy a matar")
    assert reply.startswith("Siento mucho que esté pasando por esto.")
    assert reply.index("988") < reply.index("911")
    assert "Llame al 988 y marque 2" in reply and "Envíe AYUDA por mensaje de texto al 988" in reply
    page.screenshot(path=str(ARTIFACTS / "spanish-crisis.png"))

    # later replies keep the crisis reminder, in Spanish (a message that leans on the crisis
    # message, "¿y ...?", is screened with it too and gets the crisis reply again)
    reply = _ask(page, frame, "¿Cuánto dura una sesión de ketamina con usted?")
    assert reply.startswith("Si está en crisis: llame al 988 y marque 2")
    assert "Este es un asistente automático" in reply
    page.close()


def test_the_host_pages_html_lang(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + "html-lang.html")
    page.locator(".kapbot-btn").click()
    frame = page.frame_locator(".kapbot-frame")
    frame.get_by_text("Asistente automático", exact=True).wait_for(timeout=60_000)
    assert frame.get_by_placeholder(wording.ES["INPUT_PLACEHOLDER"]).is_visible()
    page.close()


def _post(question: str, **extra: object) -> dict[str, Any]:
    body = json.dumps({"question": question, **extra}).encode()
    req = urllib.request.Request(APP["url"] + "/api/ask", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=90) as resp:
        return dict(json.loads(resp.read()))


def test_api_language(site: str) -> None:
    assert _post("¿Qué es la integración después de la ketamina?")["language"] == "es"
    assert _post("What is ketamine integration?")["language"] == "en"
    assert _post("ok")["language"] == "en"
    kept = _post("ok", language="es")  # the conversation's language, sent back by the client
    assert kept["language"] == "es"
    assert "Reserve una llamada inicial gratuita" in kept["text"]


def test_safety_page_in_spanish(site: str) -> None:
    with urllib.request.urlopen(APP["url"] + "/safety?lang=es", timeout=30) as resp:
        page = resp.read().decode()
    assert '<html lang="es">' in page
    assert "Cómo maneja este asistente la seguridad y la privacidad" in page
    assert "<strong>Llame al 988 y marque 2</strong>" in page
    assert "Dana Nassau" in page and "{therapist}" not in page
    assert '<a href="/?lang=es">Volver al chat</a>' in page
    with urllib.request.urlopen(APP["url"] + "/safety", timeout=30) as resp:
        assert '<html lang="en">' in resp.read().decode()
