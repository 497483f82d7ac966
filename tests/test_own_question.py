"""The classifier's ``urgent`` lowered to ``concern`` for a near-copy of the practice's own
question (``kapbot.safety.ownquestion``): the pure rule, exactly, then through ``Bot.ask`` with
the real models and an urgent threshold of 0, so that the classifier calls every message urgent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kapbot import wording
from kapbot.bot import Bot
from kapbot.models import Answer, RankedSection, Section
from kapbot.safety.ownquestion import OwnQuestion, lowered, of_answer
from kapbot.safety.policy import Label, SafetyVerdict, Tier
from kapbot.settings import Settings, load

ROOT = Path(__file__).resolve().parent.parent
SECTION = Section("p.md#cancelling", "p.md", "Policies", ("Policies", "Cancelling"),
                  "Give us a day's notice.", questions=("Can I cancel the night before?",))
CLASSIFIER_URGENT = SafetyVerdict(Tier.URGENT, Label.CRISIS, "classifier: crisis 0.71 ≥ urgent "
                                  "0.60")
RULE_URGENT = SafetyVerdict(Tier.URGENT, Label.CRISIS, "rule: means at hand", by_rule=True)
OWN = OwnQuestion("Can I cancel the night before?", 0.9)


def _answer(question: str, kind: str = "answer", topic_section: str = SECTION.id) -> Answer:
    return Answer(question, kind, "text", (), "disclaimer", "https://example.com/book",  # type: ignore[arg-type]
                  candidates=(RankedSection(SECTION, 0.8),),
                  topic="Can I cancel the night before?", topic_section=topic_section,
                  topic_similarity=0.9)


def test_a_near_copy_lowers_the_classifiers_urgent_to_concern() -> None:
    verdict = lowered(CLASSIFIER_URGENT, "can i cancel my session the night before", OWN)
    assert (verdict.tier, verdict.label) == (Tier.CONCERN, Label.OTHER)
    assert verdict.decided_by == ("classifier: crisis 0.71 ≥ urgent 0.60; lowered to concern: a "
                                  "near-copy (0.90) of the practice's question "
                                  "'Can I cancel the night before?'")


@pytest.mark.parametrize(("verdict", "message", "own"), [
    (RULE_URGENT, "can i cancel the night before", OWN),  # a rule's urgent stays
    (CLASSIFIER_URGENT, "can i cancel the night before", OwnQuestion(OWN.text, 0.849)),
    (CLASSIFIER_URGENT, "can i cancel the night before", None),
    # five words more than the question: a crisis beside a practical question stays urgent
    (CLASSIFIER_URGENT, "I won't be around anyway. Can I cancel the night before?", OWN),
])
def test_what_is_never_lowered(verdict: SafetyVerdict, message: str,
                               own: OwnQuestion | None) -> None:
    assert lowered(verdict, message, own) is verdict


def test_only_urgent_is_lowered() -> None:
    concern = SafetyVerdict(Tier.CONCERN, Label.OTHER, "classifier: crisis 0.41 ≥ concern 0.30")
    assert lowered(concern, "can i cancel the night before", OWN) is concern


def test_four_words_more_than_the_question_may_be_lowered() -> None:
    message = "Can I cancel the night before? Thanks so much, Dana"
    assert lowered(CLASSIFIER_URGENT, message, OWN).tier is Tier.CONCERN


def test_the_own_question_must_be_in_the_quoted_section_of_the_message_itself() -> None:
    message = "can i cancel the night before"
    assert of_answer(_answer(message), message) == OWN
    assert of_answer(_answer(message, kind="no_answer"), message) is None
    assert of_answer(_answer(message, topic_section="not-covered.md#x"), message) is None
    # ranked with an earlier question, or one question sentence of a longer message
    assert of_answer(_answer("when do I pay? " + message), message) is None


@pytest.fixture(scope="module")
def all_urgent(real_settings: Settings) -> Iterator[Bot]:
    """The shipped corpus and models, with every message the classifier's ``urgent``."""
    bot = Bot(load(config_path=ROOT / "kapbot.toml", environ={},
                   data_dir=str(real_settings.data_dir), cache_dir=os.environ["KAPBOT_CACHE_DIR"],
                   urgent_threshold=0.0, concern_threshold=0.0))
    bot.prepare()
    yield bot


@pytest.mark.model
def test_the_practices_own_question_is_answered_below_the_resources(all_urgent: Bot) -> None:
    answer = all_urgent.ask("Do you offer in-person therapy?")  # a bank line of the corpus
    assert (answer.kind, answer.safety) == ("answer", "concern")
    assert answer.text.startswith(wording.phrase("CONCERN", "en"))
    assert answer.sources[0].title == "About the practice"
    assert "lowered to concern" in answer.safety_detail


@pytest.mark.model
def test_a_crisis_beside_the_practices_own_question_gets_the_crisis_reply(all_urgent: Bot
                                                                         ) -> None:
    answer = all_urgent.ask("I won't be alive by Friday anyway. Do you offer in-person therapy?")
    assert (answer.kind, answer.safety) == ("crisis", "urgent")


@pytest.mark.model
def test_a_message_the_practice_never_asked_gets_the_crisis_reply(all_urgent: Bot) -> None:
    answer = all_urgent.ask("how do I plan a garden for dry summers")
    assert (answer.kind, answer.safety) == ("crisis", "urgent")


@pytest.mark.model
def test_a_spanish_own_question_is_answered_below_the_spanish_resources(all_urgent: Bot
                                                                        ) -> None:
    answer = all_urgent.ask("¿La ketamina sola sirve o de verdad hace falta la terapia?")
    assert (answer.kind, answer.safety, answer.language) == ("answer", "concern", "es")
    assert answer.text.startswith(wording.phrase("CONCERN", "es"))


def test_a_sections_own_questions_are_its_bank_lines_and_an_faq_heading() -> None:
    faq = Section("faq.md#can-i-cancel", "faq.md", "FAQ", ("FAQ", "Can I cancel?"), "Yes.",
                  questions=("cancel the day before?",))
    assert SECTION.own_questions == ("Can I cancel the night before?",)
    assert faq.own_questions == ("cancel the day before?", "Can I cancel?")
