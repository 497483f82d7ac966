"""Content-free messages (``kapbot.smalltalk``): recognised, answered kindly after the screen."""

from __future__ import annotations

import pytest

from kapbot import smalltalk, wording
from kapbot.bot import Bot
from kapbot.smalltalk import Move

from .test_bot import FOOTER


@pytest.mark.parametrize(("message", "move"), [
    ("hi", Move.GREETING), ("Hi there!", Move.GREETING), ("hello :)", Move.GREETING),
    ("Good morning", Move.GREETING), ("hiii", Move.GREETING), ("hola", Move.GREETING),
    ("¡Buenos días!", Move.GREETING), ("thanks!", Move.THANKS), ("Thank you so much",
    Move.THANKS), ("ok thanks", Move.THANKS), ("thanksss", Move.THANKS),
    ("muchas gracias!!", Move.THANKS), ("Sí, gracias", Move.THANKS), ("ok", Move.ACKNOWLEDGEMENT),
    ("yes", Move.ACKNOWLEDGEMENT), ("no", Move.ACKNOWLEDGEMENT), ("Got it.", Move.ACKNOWLEDGEMENT),
    ("vale", Move.ACKNOWLEDGEMENT), ("de acuerdo", Move.ACKNOWLEDGEMENT),
    ("Ok 👍", Move.ACKNOWLEDGEMENT), ("lol", Move.LAUGHTER), ("hahaha", Move.LAUGHTER),
    ("jajaja", Move.LAUGHTER), ("👍", Move.EMOJI), ("🙏🙏", Move.EMOJI), ("❤️", Move.EMOJI),
    ("👩‍⚕️", Move.EMOJI), ("?", Move.EMOJI), ("...", Move.EMOJI),
])
def test_content_free_messages_are_recognised(message: str, move: Move) -> None:
    talk = smalltalk.read(message)
    assert talk is not None and talk.move is move


@pytest.mark.parametrize("message", [
    "ok, how much is it?", "and after?", "thanks, and after?", "hi, what is integration?",
    "help", "bye forever", "no point", "yes I want to die", "hola, ¿cuánto cuesta?", "1",
    "ok so", "good session", "hello how long is a session", "", "  ", "<>", "lol what", "\ufffd",
    "thanks " * 9,
])
def test_messages_with_content_are_not(message: str) -> None:
    assert smalltalk.read(message) is None


def test_every_phrase_is_text_and_read_back() -> None:
    table = smalltalk.phrases()
    assert ("yes",) in table.words and ("no",) in table.words  # quoted: not YAML booleans
    assert table.words[("gracias",)] is Move.THANKS
    assert len(table.laughter) >= 5


def test_greeting_gets_a_kind_reply_with_the_starter_questions(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask("Hi!")
    assert answer.kind == "greeting"
    assert answer.text == wording.GREETING + "\n\n" + FOOTER
    assert [s.question for s in answer.suggestions] == list(wording.STARTERS[:2])
    assert answer.to_dict()["suggestions"][0] == {"section": "", "title": "",
                                                   "question": wording.STARTERS[0]}
    assert answer.sources == ()


@pytest.mark.parametrize(("message", "text"), [
    ("thanks!", wording.THANKS), ("ok", wording.ACKNOWLEDGEMENT), ("lol", wording.ACKNOWLEDGEMENT),
    ("👍", wording.ACKNOWLEDGEMENT), ("yes", wording.ACKNOWLEDGEMENT),
])
def test_acknowledgements_get_a_kind_reply(tiny_bot: Bot, message: str, text: str) -> None:
    answer = tiny_bot.ask(message, history=["When should I prune roses?"])
    assert answer.kind == "acknowledgement"
    assert answer.text == text + "\n\n" + FOOTER
    assert answer.question == message
    assert len(answer.suggestions) == 2


def test_spanish_greeting_is_answered_in_spanish(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask("hola", language="es")
    assert answer.kind == "greeting" and answer.language == "es"
    assert answer.text.startswith(wording.ES["GREETING"] + "\n\n")
    assert [s.question for s in answer.suggestions] == list(wording.ES_STARTERS[:2])


def test_a_follow_up_with_a_question_is_still_answered(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask("ok, and how often should i water?", history=["When should I prune?"])
    assert answer.kind == "answer"


def test_the_screen_reads_first(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask("ok", history=["I am going to kill myself tonight"])
    assert answer.kind == "crisis"


def test_the_chat_offers_the_starters_as_buttons_after_a_greeting(tiny_bot: Bot) -> None:
    from kapbot.web import chat
    row, label, first, second = chat._offers(tiny_bot.ask("hello"))
    assert row["visible"] is True and label["value"] == wording.STARTERS_LABEL
    assert (first["value"], second["value"]) == wording.STARTERS[:2]
    _, label, _, _ = chat._offers(tiny_bot.ask("gracias", language="es"))
    assert label["value"] == wording.ES["STARTERS_LABEL"]


@pytest.mark.model
@pytest.mark.parametrize(("message", "kind"), [
    ("hi", "greeting"), ("thanks!", "acknowledgement"), ("hola", "greeting"),
    ("ok", "acknowledgement"), ("yes", "acknowledgement"), ("lol", "acknowledgement"),
    ("😭", "acknowledgement"), ("I am going to kill myself tonight", "crisis"),
    ("ok, how long does a session last?", "answer"),
])
def test_the_real_screen_reads_content_free_messages_first(real_bot: Bot, message: str,
                                                           kind: str) -> None:
    assert real_bot.ask(message).kind == kind


@pytest.mark.model
def test_an_emoji_message_is_screened(real_bot: Bot) -> None:
    # it used to get "couldn't read that as text" without being screened; now the screen reads
    # it first: a gun emoji (a training line labelled crisis) shows the resources first
    answer = real_bot.ask("🔫🙂")
    assert answer.kind == "acknowledgement" and answer.safety == "concern"
    assert answer.text.startswith(wording.CONCERN)


def test_bytes_that_are_not_text_are_still_not_read(tiny_bot: Bot) -> None:
    assert tiny_bot.ask(b"\xff\xfe not json").kind == "invalid"
    assert tiny_bot.ask(b"\xff").kind == "invalid"
