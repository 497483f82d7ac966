"""Follow-up questions: read with the question they follow; the screen reads them alone too."""

from __future__ import annotations

import json
import math

from kapbot.bot import Bot
from kapbot.cli import stdin_line
from kapbot.followup import (
    MAX_HISTORY,
    MAYBE_LEVEL,
    FollowUpOdds,
    Reading,
    clean_history,
    features,
    is_follow_up,
    maybe_follow_up,
    read,
    shipped_odds,
)
from kapbot.ranking.reply import alternatives


def test_messages_that_lean_on_the_one_before_are_follow_ups() -> None:
    before = "What happens in a ketamine session?"
    for message in ("how long does that take?", "and after?", "is that online too?",
                    "what about the cost", "And in winter?", "does it hurt?",
                    "what if I don't want to?"):
        assert is_follow_up(message, before), message
    # below the level (0.85 since 2026-12-03, 0.8 before): it may lean, so it is read with the
    # question before it when it is refused alone (``maybe_follow_up``)
    assert maybe_follow_up("how many of those before the real one?", before)
    for message in ("How often should I water my plants?", "what does a session cost at your "
                    "practice?", "Can I do ketamine therapy online from another state?",
                    "ok cool. is there parking near you?", ""):
        assert not is_follow_up(message, before), message


def test_the_learnt_follow_up_model_reads_its_features() -> None:
    odds = FollowUpOdds((0.0,) * 7 + (10.0,), -5.0, 0.5)  # only the share of earlier words
    assert odds.probability("the integration session?", "what is an integration session") > 0.5
    assert odds.probability("do you take insurance", "what is an integration session") < 0.5
    assert len(features("and after?", "")) == len(shipped_odds().weights)


def test_the_signs_read_words_as_the_chat_does() -> None:
    """Accents and apostrophes aside (``kapbot.text.plain_words``): "también" leads and points
    back as "tambien" does, a word stays one word, and "it's" points back as "its" does."""
    spanish = features("¿también en línea?", "¿Atiende en persona?")
    assert spanish[:2] == features("tambien en linea?", "Atiende en persona?")[:2]
    assert spanish[1] == 1.0 and spanish[0] == features("y en linea", "")[0]  # 3 words
    assert features("is it's online?", "")[4] == features("is its online?", "")[4] > 0


def test_reading_joins_the_previous_question_only_for_a_follow_up() -> None:
    history = ["What happens in a ketamine session?"]
    assert read("how long does that take?", history).text == (
        "What happens in a ketamine session? how long does that take?")
    assert read("how long does that take?", history).follows == history[0]
    self_contained = "How much does the first consultation cost?"
    assert read(self_contained, history).text == self_contained
    assert not read(self_contained, history).is_follow_up
    assert read("and after?", []).text == "and after?"
    # a follow-up of a follow-up carries the question they both follow
    chained = read("and after?", ["What happens in a session?", "how long is it?"])
    assert chained.text == "What happens in a session? how long is it? and after?"


def test_the_other_readings_of_a_message() -> None:
    history = ["What happens in a ketamine session?"]
    follow_up = "how long does that take?"
    assert alternatives(follow_up, read(follow_up, history), history) == (
        Reading(follow_up, only_if_unanswered=True),)  # it may stand on its own after all
    unmarked = "Do you take insurance for the integration sessions?"  # self-contained
    assert not is_follow_up(unmarked, history[0])
    assert alternatives(unmarked, read(unmarked, history), history) == (
        Reading(f"{history[0]} {unmarked}", history[0]),)
    two = "I get anxious around strangers. Do you offer sessions online from home?"
    assert alternatives(two, read(two, history), history) == (
        Reading("Do you offer sessions online from home?"),
        Reading(f"{history[0]} {two}", history[0]))
    assert alternatives(unmarked, read(unmarked, []), []) == ()


def test_a_message_below_the_level_may_still_lean_on_the_one_before() -> None:
    def odds(p: float) -> FollowUpOdds:  # every message gets probability p; the level 0.8
        return FollowUpOdds((0.0,) * 8, math.log(p / (1 - p)), 0.8)

    assert shipped_odds().level > MAYBE_LEVEL
    assert maybe_follow_up("what would that look like", "bad trips?", odds(MAYBE_LEVEL + 0.01))
    assert not maybe_follow_up("what would that look like", "bad trips?", odds(0.9))  # it does
    assert not maybe_follow_up("what would that look like", "bad trips?",
                               odds(MAYBE_LEVEL - 0.01))
    assert not maybe_follow_up("🙂", "bad trips?", odds(0.7))  # no words to lean with
    history = ["Can people have bad trips on ketamine?"]
    maybe = "what would that actually look like though"  # the shipped model: about 0.74
    assert maybe_follow_up(maybe, history[0]) and not is_follow_up(maybe, history[0])
    assert read(maybe, history) == Reading(maybe, may_lean=True)
    assert not read(maybe, []).may_lean  # nothing before it to lean on
    assert alternatives(maybe, read(maybe, history), history) == (
        Reading(f"{history[0]} {maybe}", history[0], only_if_unanswered=True, any_section=True),)


def test_history_is_cleaned_and_capped() -> None:
    assert clean_history("not a list", 100) == ()
    assert clean_history([1, None, "  a  b ", "x" * 300], 100) == ("a b", "x" * 100)
    assert clean_history([str(i) for i in range(9)], 100) == tuple(
        str(i) for i in range(9 - MAX_HISTORY, 9))


def test_stdin_lines_take_plain_text_or_a_json_object() -> None:
    assert stdin_line("how long?") == ("how long?", ())
    line = json.dumps({"question": "and after?", "history": ["What is a session like?"]})
    assert stdin_line(line) == ("and after?", ["What is a session like?"])
    assert stdin_line("{not json") == ("{not json", ())


def test_a_follow_up_is_answered_from_the_first_questions_section(tiny_bot: Bot) -> None:
    alone = tiny_bot.ask("and in winter?")
    assert alone.kind == "answer" and alone.sources[0].section == "When should I prune roses?"
    followed = tiny_bot.ask("and in winter?", history=["How often should I water my plants?"])
    assert followed.kind == "answer" and followed.sources[0].section == "Watering"
    assert followed.question == "and in winter?"  # shown as the visitor wrote it
    # a self-contained question is not changed by what came before
    own = tiny_bot.ask("When should I prune roses?", history=["How often should I water?"])
    assert own.sources[0].section == "When should I prune roses?"


def test_the_screen_reads_the_new_message_alone_and_in_context(tiny_bot: Bot) -> None:
    alone = tiny_bot.ask("I want to kill myself", history=["How often should I water?"])
    assert alone.kind == "crisis"
    assert tiny_bot.ask("and the quickest way?").kind != "crisis"
    in_context = tiny_bot.ask("and the quickest way?", history=["I want to kill myself"])
    assert in_context.kind == "crisis"
