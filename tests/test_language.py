"""Which language a message is in: the pure choice, and the real (offline) detector."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapbot.bot import Bot
from kapbot.errors import ConfigError
from kapbot.language.choice import (
    Lang,
    Signals,
    SpanishOdds,
    choose,
    features,
    language_words,
    parse_languages,
    spelt_out,
)
from kapbot.language.langdetect import CHOICE_FILE, LanguageDetector, load_odds
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


# the learnt choice: a model that reads only the Spanish share of the words
SHARE = SpanishOdds((0.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0), -5.0, switch=0.7, stay=0.3)


def test_features_of_a_message() -> None:
    got = features("quiero saber the price", Signals(0.25, 0.5))
    assert got[:2] == [0.25, 0.5]
    assert got[2:] == pytest.approx([0.6931, 1.0986, 0.25, 0.5, 1.3863], abs=1e-4)  # "the", "price"


def test_the_learnt_choice_needs_more_to_switch_than_to_stay() -> None:
    def pick(share: float, previous: Lang | None = None) -> Lang:
        return choose("quiero saber the price of it", {Lang.EN: 0.6, Lang.ES: 0.4}, BOTH,
                      previous, Signals(0.4, share), SHARE)

    assert SHARE.probability("x", Signals(0.0, 0.5)) == pytest.approx(0.5)
    assert pick(0.6) is Lang.ES  # P(Spanish) 0.73: reaches the switch level (0.7)
    assert pick(0.55) is Lang.EN and pick(0.55, Lang.ES) is Lang.ES  # 0.62: each talk stays
    assert pick(0.45, Lang.ES) is Lang.ES  # 0.38: above the stay level (0.3)
    assert pick(0.4, Lang.ES) is Lang.EN  # 0.27: below it, the visitor switched
    assert pick(0.9) is Lang.ES and pick(0.1, Lang.ES) is Lang.EN  # clear either way


def test_the_learnt_choice_keeps_short_messages_without_cue_words() -> None:
    sure = Signals(1.0, 1.0)
    assert choose("San Diego?", {Lang.ES: 0.9}, BOTH, None, sure, SHARE) is Lang.EN
    assert choose("gracias", {Lang.ES: 0.9}, BOTH, None, sure, SHARE) is Lang.ES
    assert choose("thanks", {}, BOTH, Lang.ES, Signals(0.0, 0.0), SHARE) is Lang.EN  # a cue word


def test_the_words_the_choice_weighs() -> None:
    assert language_words("¿Qué TAL? It's el AÑO 2020, qué") == {"que", "tal", "its", "el", "ano"}


def test_an_age_in_years_is_spelt_out() -> None:
    assert spelt_out("I'm 34 y/o, my son is 19 Y.O. and") == (
        "I'm 34 years old, my son is 19 years old and")
    assert spelt_out("tres y/o cuatro; 3 y/o 4 sesiones") == "tres y/o cuatro; 3 y/o 4 sesiones"
    assert language_words("a 34 y/o woman") == {"a", "years", "old", "woman"}


def test_each_word_weighs_once() -> None:
    odds = SpanishOdds((0.0,) * 7, -1.0, switch=0.5, stay=0.3, word_weights={"si": 1.0})
    assert odds.probability("si", Signals(0.0, 0.0)) == pytest.approx(0.5)
    assert odds.probability("si si, Sí", Signals(0.0, 0.0)) == pytest.approx(0.5)
    assert odds.probability("no", Signals(0.0, 0.0)) == pytest.approx(0.2689, abs=1e-4)


def test_the_shipped_choice_loads_and_a_bad_file_does_not_break(tmp_path: Path) -> None:
    shipped = load_odds()
    assert shipped is not None and len(shipped.weights) == 7 and shipped.switch > shipped.stay
    assert len(shipped.word_weights) > 1000 and shipped.word_weights["que"] > 0
    assert "evals/train_language_choice.py" in CHOICE_FILE.read_text(encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert load_odds(tmp_path / "bad.json") is None


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
    # Spanglish: mostly English words around Spanish ones, answered in Spanish; since the
    # choice weighs words (2026-12-02), one Spanish "y" for "and" is enough (988 and 911 show
    # in either language's crisis reply)
    ("my boyfriend took ketamine y alcohol and won't wake up", None, Lang.ES),
    ("my mom wants to know si la terapia es en español o solo in English", None, Lang.ES),
    ("ok pero how much does it cost? es que no tengo mucho dinero", None, Lang.ES),
    ("hacen group sessions de ketamina?", None, Lang.ES),
    ("Is there parking cerca del office?", None, Lang.ES),
    ("my boyfriend took ketamine and alcohol and won't wake up", None, Lang.EN),
    ("is microdosing ketamine a thing", None, Lang.EN),
    ("do you do in person sessions?", None, Lang.EN),
    ("ok", Lang.ES, Lang.ES),
    ("yes", None, Lang.EN),
    # "y/o" after an age is English for "years old", not Spanish "and/or" (spelt_out)
    ("I'm a 34 y/o woman, is KAP right for me?", None, Lang.EN),
    ("my 19 y.o. son wants to try ketamine therapy, can he?", None, Lang.EN),
    ("¿puedo hacer 3 y/o 4 sesiones al mes?", None, Lang.ES),
])
def test_the_real_detector(detector: LanguageDetector, text: str, previous: Lang | None,
                           expected: Lang) -> None:
    assert detector.detect(text, previous) is expected


def test_a_message_that_mixes_the_languages(detector: LanguageDetector) -> None:
    assert detector.other_language("What happens during a ketamine session?", Lang.EN) is None
    assert detector.other_language("¿Qué pasa durante una sesión de ketamina?", Lang.ES) is None
    mixed = "tonight I'm going to overdose on my pills, nadie me quiere"  # P(Spanish) about 0.4
    assert detector.other_language(mixed, Lang.EN) is Lang.ES
    assert detector.other_language(mixed, Lang.ES) is Lang.EN
    assert detector.other_language("  ", Lang.EN) is None


def test_a_raw_message(detector: LanguageDetector) -> None:
    assert detector.of_message(b"necesito ayuda", None, 2000) is Lang.ES
    assert detector.of_message(None, "es", 2000) is Lang.ES  # unreadable: the conversation's
    assert detector.of_message("", None, 2000) is Lang.EN


def test_the_detector_is_read_once_for_a_message_language_and_mix() -> None:
    """A crisis reply asks whether the message mixes languages right after its language was
    chosen: the detector's multi-language reading runs once for both."""
    detector = LanguageDetector(BOTH)
    real, calls = detector.spanish_share, []

    def counted(text: str) -> float:
        calls.append(text)
        return real(text)

    detector.spanish_share = counted  # type: ignore[method-assign]
    mixed = "tonight I'm going to overdose on my pills, nadie me quiere"
    lang = detector.detect(mixed)
    assert detector.other_language(mixed, lang) is not None
    assert len(calls) == 1
    detector.other_language("What happens during a ketamine session?", Lang.EN)
    assert len(calls) == 2  # another message is read afresh
    assert all(mixed not in key for key in detector._recent)  # digests, not the text
