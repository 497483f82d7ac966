"""Which language a message is in: the pure choice, and the real (offline) detector."""

from __future__ import annotations

import pytest

from kapbot.bot import Bot
from kapbot.errors import ConfigError
from kapbot.langdetect import LanguageDetector
from kapbot.language import Lang, choose, parse_languages
from kapbot.settings import Settings

from .conftest import FakeEmbedder

BOTH = (Lang.EN, Lang.ES)


def test_parse_languages() -> None:
    assert parse_languages("en, es") == BOTH
    assert parse_languages("es,en,es") == (Lang.ES, Lang.EN)
    with pytest.raises(ConfigError, match="languages must list"):
        parse_languages("en, fr")
    with pytest.raises(ConfigError, match="languages must list"):
        Bot(Settings(languages="klingon"), embedder=FakeEmbedder())


def test_a_clear_message_decides() -> None:
    assert choose("¿Qué es la integración?", {Lang.ES: 0.9, Lang.EN: 0.1}, BOTH) is Lang.ES
    assert choose("What is integration?", {Lang.EN: 0.9, Lang.ES: 0.1}, BOTH, Lang.ES) is Lang.EN


def test_cue_words_decide_when_the_detector_is_unsure() -> None:
    # Spanglish: the detector is split, the function words are Spanish
    assert choose("quiero saber si el set and setting es importante para mi", {
        Lang.ES: 0.5, Lang.EN: 0.5}, BOTH) is Lang.ES
    assert choose("gracias", {Lang.ES: 0.6, Lang.EN: 0.4}, BOTH) is Lang.ES  # one cue word


def test_unclear_short_messages_keep_the_conversation_language() -> None:
    assert choose("ok", {Lang.EN: 0.89, Lang.ES: 0.11}, BOTH, Lang.ES) is Lang.ES
    assert choose("Dana Nassau", {Lang.EN: 0.9, Lang.ES: 0.1}, BOTH, Lang.ES) is Lang.ES
    assert choose("ok", {Lang.EN: 0.89, Lang.ES: 0.11}, BOTH) is Lang.EN  # no history: the first
    assert choose("ok", {}, (Lang.ES, Lang.EN)) is Lang.ES  # the first configured one


def test_only_the_configured_languages() -> None:
    assert choose("¿Qué es la integración?", {Lang.ES: 1.0}, (Lang.EN,)) is Lang.EN


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(BOTH)


@pytest.mark.parametrize(("text", "previous", "expected"), [
    ("me quiero morir", None, Lang.ES),
    ("necesito ayuda", None, Lang.ES),
    ("tengo miedo", None, Lang.ES),
    ("hola", None, Lang.ES),
    ("mi novio tomó ketamina y alcohol y no despierta", None, Lang.ES),
    ("q onda, las sesiones son in person o por zoom?", None, Lang.ES),
    ("What happens during a ketamine session?", Lang.ES, Lang.EN),  # the visitor switched
    ("my boyfriend took ketamine y alcohol and won't wake up", None, Lang.EN),
    ("ok", Lang.ES, Lang.ES),
    ("yes", None, Lang.EN),
])
def test_the_real_detector(detector: LanguageDetector, text: str, previous: Lang | None,
                           expected: Lang) -> None:
    assert detector.detect(text, previous) is expected


def test_a_raw_message(detector: LanguageDetector) -> None:
    assert detector.of_message(b"necesito ayuda", None, 2000) is Lang.ES
    assert detector.of_message(None, "es", 2000) is Lang.ES  # unreadable: the conversation's
    assert detector.of_message("", None, 2000) is Lang.EN
