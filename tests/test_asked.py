"""A message with context then a question (``kapbot.ranking.asked``): its question sentences are
ranked too, and the likeliest reading answers."""

from __future__ import annotations

from typing import Any

import pytest

from kapbot.bot import Bot
from kapbot.followup import Reading
from kapbot.models import Answer, RankedSection, Section
from kapbot.ranking import asked, reply
from kapbot.ranking.fusion import Ranking

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
            "Me siento mal desde hace años. ¿Cuánto cuesta una sesión?",  # without its thanks
            "¿Cuánto cuesta una sesión?")
    two = asked.readings("I live far away. Is it online? what does it cost")
    assert two[1:] == ("Is it online? what does it cost", "Is it online?", "what does it cost")


def test_a_letter_is_read_without_its_greeting_and_closing() -> None:
    letter = ("Dear Ms. Nassau,\nI have been in counseling for six years. Would this suit me?"
              "\nKind regards,\nMargaret")
    assert asked.readings(letter) == (
        letter, "I have been in counseling for six years. Would this suit me?",
        "Would this suit me?")


@pytest.mark.parametrize(("message", "body"), [
    ("Good morning,\nHow long is a session?\nThank you kindly,\nRobert Lindqvist",
     "How long is a session?"),
    ("Dear Ms. Nassau, how long is a session? Sincerely, Harold P.", "how long is a session?"),
    ("Hello Dana,\nIs it online?\nBest,\nTom", "Is it online?"),
    ("How long is it? Regards. Tom Smith", "How long is it?"),  # a name after its own stop
    ("To whom it may concern: is it online?", "is it online?"),
    ("Estimada doctora Nassau:\n¿Cuánto cuesta?\nAtentamente,\nMaría López",
     "¿Cuánto cuesta?"),  # a lower-case title in the name
    ("Hi, how long does it take?\nThanks so much", "how long does it take?"),
    # not framing: the words after "hi" are not a name; "thanks" opens, not closes; the
    # closing word starts a question; a message that is only framing
    ("Hi is it online, and how much", "Hi is it online, and how much"),
    ("Thanks. How long does a session last?", "Thanks. How long does a session last?"),
    ("how long is it? Best way to prepare?", "how long is it? Best way to prepare?"),
    ("Thank you, Dana", "Thank you, Dana"),
])
def test_what_frames_a_letter(message: str, body: str) -> None:
    assert asked.unframed(message) == body


@pytest.mark.parametrize("message", [
    "What is KAP?", "how long does a session last", "I want to know about integration.",
    "When I was 20 I tried ketamine. It helped a bit.", "Is it online? Does it cost much?",
])
def test_a_single_question_or_no_question_is_read_whole(message: str) -> None:
    assert asked.readings(message) == (message,)


def _ranking(heading: str, p: float) -> Ranking:
    section = Section(heading, "a.md", "A", ("A", heading), "Some text.")
    return Ranking((RankedSection(section, 1.0, {"q": 0.9, "s": 0.9}),), answer_probability=p)


def _retrieve(probabilities: dict[str, tuple[str, float]]) -> reply.Retrieve:
    def retrieve(text: str, vector: list[float] | None) -> tuple[Ranking, list[float], Any]:
        return _ranking(*probabilities[text]), [0.0], None
    return retrieve


def test_the_likeliest_reading_is_taken() -> None:
    whole, part = CONTEXT_THEN_QUESTION, "How often should I water my plants?"
    def best(p_whole: float, p_part: float) -> str:
        retrieve = _retrieve({whole: ("Pruning", p_whole), part: ("Watering", p_part)})
        ranking, _, _, decision, text = reply.best_reading(
            retrieve, lambda t: [0.0], whole, None,
            [Reading(t) for t in asked.readings(whole)[1:]], 0.5)
        assert decision.probability == max(p_whole, p_part) or text == whole
        taken = "part" if text == part else "whole"
        return f"{taken} {ranking.sections[0].section.heading}"

    assert best(0.6, 0.9) == "part Watering"
    assert best(0.9, 0.6) == "whole Pruning"
    assert best(0.7, 0.7) == "whole Pruning"  # a tie: the whole message
    assert best(0.2, 0.4) == "part Watering"  # neither answered: the likelier one still
    assert best(0.3, 0.55) == "part Watering"  # only the question is answered


def test_a_reading_with_the_question_before_counts_only_on_that_questions_section() -> None:
    before, message = "What happens in a session?", "how many of those before the real one?"
    both = f"{before} {message}"

    def taken(section_alone: str, section_before: str, section_both: str) -> str:
        retrieve = _retrieve({message: (section_alone, 0.2), before: (section_before, 0.9),
                              both: (section_both, 0.8)})
        _, _, _, _, text = reply.best_reading(retrieve, lambda t: [0.0], message, None,
                                              [Reading(both, before)], 0.5)
        return "both" if text == both else "alone"

    # the context makes the reply surer in the section the message and the question share
    assert taken("Preparation", "Preparation", "Preparation") == "both"
    # a new topic ("Do you take insurance?" after integration): not moved to the question's
    assert taken("Fees", "Preparation", "Preparation") == "alone"
    assert taken("Preparation", "Preparation", "Integration") == "alone"


def test_a_message_that_may_lean_on_the_question_before_is_read_with_it_when_refused_alone(
) -> None:
    """A message the follow-up model gives a chance below its level (``maybe_follow_up``) is
    read with the question before it only when it is refused alone, and that reading may then
    answer from another section than the message alone would."""
    before, message = "Can people have bad trips?", "what would that look like though"
    both = f"{before} {message}"

    def taken(p_alone: float, p_both: float, any_section: bool = True) -> str:
        retrieve = _retrieve({message: ("Preparation", p_alone), both: ("Integration", p_both)})
        part = Reading(both, before, only_if_unanswered=True, any_section=any_section)
        _, _, _, _, text = reply.best_reading(retrieve, lambda t: [0.0], message, None, [part],
                                              0.5)
        return "both" if text == both else "alone"

    assert taken(0.1, 0.8) == "both"  # refused alone, answered in context: another section
    # ranked only when unanswered, yet held to the message's section: stays alone
    assert taken(0.1, 0.8, any_section=False) == "alone"
    assert taken(0.6, 0.9) == "alone"  # answered alone: the context is not even ranked
    assert taken(0.1, 0.3) == "both"  # refused both ways: the likelier, as for any reading
    assert taken(0.3, 0.1) == "alone"


def test_a_follow_up_is_read_alone_only_when_its_reading_in_context_is_not_answered() -> None:
    both, alone = "How often should I water? and in winter?", "and in winter?"

    def taken(p_both: float, p_alone: float) -> str:
        retrieve = _retrieve({both: ("Watering", p_both), alone: ("Pruning", p_alone)})
        _, _, _, _, text = reply.best_reading(retrieve, lambda t: [0.0], both, None,
                                              [Reading(alone, only_if_unanswered=True)], 0.5)
        return "alone" if text == alone else "both"

    assert taken(0.6, 0.9) == "both"  # answered in context: stays there
    assert taken(0.3, 0.9) == "alone"  # refused in context, answered alone


def test_context_then_question_is_ranked_on_its_question_too(tiny_bot: Bot) -> None:
    answer = tiny_bot.ask(CONTEXT_THEN_QUESTION)
    assert answer.kind == "answer"
    assert answer.question == CONTEXT_THEN_QUESTION  # the reply shows what was asked


@pytest.mark.parametrize(("message", "expected"), [
    ("I want to die", False), ("kms", False), ("quiero morir", False), ("🙂", False),
    ("and after?", True), ("tell me about integration", True), ("¿cuánto cuesta?", True),
    ("I feel hopeless. How long is a session", True),
])
def test_whether_a_message_asks_anything(message: str, expected: bool) -> None:
    assert asked.asks(message) is expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("I'd like to know how long the first meeting lasts.", True),  # an indirect question
    ("Good afternoon, I was wondering whether you see couples", True),  # after a greeting
    ("quisiera saber si atiende los sábados", True),
    ("I'll take the bus home after my session, is that ok", True),  # a tacked-on question
    ("me llevo a mi hermana conmigo, se puede", True),
    ("cuanto dura la primera cita", True),  # an unaccented question word, typed on a phone
    ("I know what I want to do tonight.", False),  # an opener must start the sentence
    ("I wonderfully enjoyed your article", False),  # whole words only
    ("my sister said it was ok", False),  # a tag must be whole: "ok" alone is not one
    ("que bueno que existe esto", False),  # an unaccented "que" starts statements
])
def test_which_sentences_ask(sentence: str, expected: bool) -> None:
    assert asked.is_question(sentence) is expected


def test_the_asking_rules_file_has_each_list() -> None:
    rules = asked.AskingRules.load()
    assert "how" in rules.question_words and "cuanto" in rules.question_words
    assert "i'd like to know" in rules.openers and "is that a bad idea" in rules.tags
    assert all(o == o.casefold() for o in rules.openers + rules.tags)
    assert "dear" in rules.greetings + rules.salutations and "kind regards" in rules.closings
    assert "doctora" in rules.titles
    # the chat's small-talk greetings and thanks (kapbot/smalltalk.yaml), read from there
    assert {"good morning", "buenas tardes"} <= set(rules.greetings)
    assert {"thanks", "muchas gracias"} <= set(rules.closings)
    assert rules.greetings.index("hi there") < rules.greetings.index("hi")  # longest first


def _reply(kind: str, confidence: float) -> Answer:
    return Answer("q", kind, "text", (), "disclaimer", "https://example.com/book",  # type: ignore[arg-type]
                  confidence=confidence)


@pytest.mark.parametrize(("message", "kind", "confidence", "expected"), [
    ("I want to die", "answer", 0.74, False),  # no question, the writing not sure: no quote
    ("I want to die", "no_answer", 0.95, False),  # nothing to quote
    ("cuantas sesiones voy a necesitar en total", "answer", 0.8, True),  # dictated, unpunctuated
    ("and after?", "no_answer", 0.0, True),  # asks: the normal reply, whatever it is
])
def test_what_is_quoted_below_the_resources(message: str, kind: str, confidence: float,
                                            expected: bool) -> None:
    assert asked.worth_quoting(message, _reply(kind, confidence)) is expected
    assert asked.UNASKED_ANSWER_SURE == 0.8
