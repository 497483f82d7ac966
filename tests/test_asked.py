"""A message with context then a question (``kapbot.ranking.asked``): its question sentences are
ranked too, and the likeliest reading answers."""

from __future__ import annotations

import pytest

from kapbot.bot import Bot
from kapbot.ranking import asked

CONTEXT_THEN_QUESTION = (
    "My roses died last winter: I pruned the roses late, the new growth of the roses never came "
    "and the winter roses are gone. How often should I water my plants?")


def test_readings_of_a_message_with_context() -> None:
    assert asked.readings("I've been depressed for years and nothing worked. How long does a "
                          "session last?") == (
        "I've been depressed for years and nothing worked. How long does a session last?",
        "How long does a session last?")
    assert asked.readings("Me siento mal desde hace años. ¿Cuánto cuesta una sesión? Gracias") \
        == ("Me siento mal desde hace años. ¿Cuánto cuesta una sesión? Gracias",
            "¿Cuánto cuesta una sesión?")
    two = asked.readings("I live far away. Is it online? what does it cost")
    assert two[1:] == ("Is it online? what does it cost", "Is it online?", "what does it cost")


@pytest.mark.parametrize("message", [
    "What is KAP?", "how long does a session last", "I want to know about integration.",
    "When I was 20 I tried ketamine. It helped a bit.", "Is it online? Does it cost much?",
])
def test_a_single_question_or_no_question_is_read_whole(message: str) -> None:
    assert asked.readings(message) == (message,)


def test_context_then_question_is_answered_from_the_question(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask(CONTEXT_THEN_QUESTION)
    assert answer.kind == "answer"
    assert answer.sources[0].section == "Watering"
    assert answer.question == CONTEXT_THEN_QUESTION  # the reply shows what was asked
