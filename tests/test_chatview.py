"""How the chat shows a reply (kapbot.web.chatview) and which files it caches (kapbot.web.asgi)."""

from __future__ import annotations

from kapbot import wording
from kapbot.compose import Voice, fixed
from kapbot.models import Answer, Source
from kapbot.web import chatview
from kapbot.web.asgi import DAY, YEAR, cache_policy

VOICE = Voice("Practice", "Dana Nassau, LMFT", "Automated; not for emergencies.",
              "https://book.example.org/call")
SOURCE = Source("A Title", "Preparation", "https://example.org/a#prep", 0.8, "Quoted.")
BODY = (f"From Dana Nassau, LMFT's article, *Preparation*:\n\n> Quoted.\n\n"
        f"{wording.SOURCES_HEADING} [A Title — Preparation](https://example.org/a#prep)")


def _answer(body: str = BODY, sources: tuple[Source, ...] = (SOURCE,)) -> Answer:
    text = body + "\n\n" + wording.footer(VOICE.disclaimer, VOICE.booking_url)
    return Answer("q", "answer", text, sources, VOICE.disclaimer, VOICE.booking_url)


def test_first_name() -> None:
    assert chatview.first_name("Dana Nassau, LMFT") == "Dana"
    assert chatview.first_name("Pat") == "Pat"


def test_a_quoted_answer_gets_a_chip_small_print_and_a_button() -> None:
    shown = chatview.reply(_answer(), "Dana Nassau, LMFT", {("A Title", "Preparation"): "FAQ"})
    assert shown == (
        "From Dana Nassau, LMFT's article, *Preparation*:\n\n> Quoted.\n\n"
        '<a class="kap-source" href="https://example.org/a#prep" target="_blank" '
        'rel="noopener" title="A Title — Preparation">Dana\'s FAQ · Preparation</a>\n\n'
        '<small class="kap-disclaimer">Automated; not for emergencies.</small>\n\n'
        '<a class="kap-book" href="https://book.example.org/call" target="_blank" '
        'rel="noopener">Book a free discovery call</a>')


def test_a_spanish_reply_gets_its_small_print_and_a_spanish_button() -> None:
    text = "Lo siento.\n\n" + wording.footer("Automático.", VOICE.booking_url, lang="es")
    answer = Answer("q", "no_answer", text, (), "Automático.", VOICE.booking_url, language="es")
    assert chatview.reply(answer, "Dana Nassau, LMFT", {}) == (
        'Lo siento.\n\n<small class="kap-disclaimer">Automático.</small>\n\n'
        '<a class="kap-book" href="https://book.example.org/call" target="_blank" '
        'rel="noopener">Reserve una llamada inicial gratuita</a>')


def test_a_spanish_quote_gets_a_spanish_chip() -> None:
    text = BODY + "\n\n" + wording.footer("Automático.", VOICE.booking_url, lang="es")
    answer = Answer("q", "answer", text, (SOURCE,), "Automático.", VOICE.booking_url,
                    language="es")
    shown = chatview.reply(answer, "Dana Nassau, LMFT", {("A Title", "Preparation"): "article"})
    assert ('rel="noopener" title="A Title — Preparation">Artículo de Dana · Preparation</a>'
            in shown)
    unknown = chatview.reply(answer, "Dana", {})
    assert ">Textos de Dana · Preparation</a>" in unknown


def test_a_spanish_replys_source_line_becomes_the_chip() -> None:
    """kapbot.compose writes the Spanish source line as "**Fuente:** …": the chip replaces it."""
    body = BODY.replace(wording.SOURCES_HEADING, wording.ES["SOURCES_HEADING"])
    text = body + "\n\n" + wording.footer("Automático.", VOICE.booking_url, lang="es")
    answer = Answer("q", "answer", text, (SOURCE,), "Automático.", VOICE.booking_url,
                    language="es")
    shown = chatview.reply(answer, "Dana Nassau, LMFT", {("A Title", "Preparation"): "article"})
    assert "Fuente" not in shown
    assert shown.startswith("From Dana Nassau, LMFT's article, *Preparation*:\n\n> Quoted.\n\n"
                            '<a class="kap-source" href="https://example.org/a#prep"')


def test_a_source_without_url_is_a_plain_chip_and_kind_falls_back() -> None:
    source = Source("A Title", "Preparation", "", 0.8, "Quoted.")
    body = BODY.replace("[A Title — Preparation](https://example.org/a#prep)",
                        "A Title — Preparation")
    shown = chatview.reply(_answer(body, (source,)), "Dana", {})
    assert ('<span class="kap-source" title="A Title — Preparation">Dana\'s writing · '
            "Preparation</span>") in shown
    assert "Source:" not in shown


def test_fixed_replies_keep_their_text_and_get_the_button() -> None:
    crisis = fixed("q", "crisis", wording.CRISIS, VOICE)
    shown = chatview.reply(crisis, "Dana", {})
    assert shown.startswith(wording.CRISIS)  # the resources, first and unchanged
    assert shown.endswith('rel="noopener">Book a free discovery call</a>')
    assert wording.CRISIS_MARKER in shown  # how the chat recognises a crisis reply


def test_text_not_ending_as_composed_is_shown_as_it_is() -> None:
    odd = Answer("q", "answer", "Something else.", (), "d", "https://b.example.org")
    assert chatview.reply(odd, "Dana", {}) == "Something else."


def test_unsafe_urls_are_not_linked() -> None:
    source = Source("T", "S", "javascript:alert(1)", 0.5, "")
    assert "href" not in chatview.source_chip(source, "article", "Dana")
    assert chatview.book_button("javascript:alert(1)") == ""


def test_the_notice_is_one_line_with_988_that_opens_to_the_whole() -> None:
    shown = chatview.notice("Dana Nassau, LMFT", "Title · Practice")
    assert shown.startswith('<h1 class="kap-sr">Title · Practice</h1>\n\n<details><summary>'
                            "<strong>Automated assistant</strong>, not Dana Nassau, LMFT. Not "
                            "for emergencies: call or text <strong>988</strong>, or call "
                            '<strong>911</strong>. <span class="kap-more">more</span></summary>')
    assert wording.fill(wording.NOTICE, therapist="Dana Nassau, LMFT") in shown


def test_the_spanish_notice_is_one_line_with_988_that_opens_to_the_whole() -> None:
    shown = chatview.notice("Dana Nassau, LMFT", "Título · Practice", "es")
    assert shown.startswith('<h1 class="kap-sr">Título · Practice</h1>\n\n<details><summary>'
                            "<strong>Asistente automático</strong>, no es Dana Nassau, LMFT. No "
                            "es para emergencias: llame o envíe un mensaje al "
                            "<strong>988</strong>, o llame al <strong>911</strong>. "
                            '<span class="kap-more">más</span></summary>')
    assert wording.fill(wording.ES["NOTICE"], therapist="Dana Nassau, LMFT") in shown


def test_cache_policy() -> None:
    assert cache_policy("/assets/index-DphvyggB.js") == YEAR
    assert cache_policy("/theme.css", "v=f80230af") == YEAR
    assert cache_policy("/theme.css") is None  # no version: may change
    assert cache_policy("/static/js/iframeResizer.contentWindow.min.js") == DAY
    assert cache_policy("/manifest.json") == DAY
    for path in ("/", "/safety", "/api/ask", "/gradio_api/queue/join", "/healthz"):
        assert cache_policy(path) is None, path
