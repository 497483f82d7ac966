"""The classifier's ``urgent`` lowered to ``concern`` for a near-copy of the practice's own
question. Pure.

The classifier sometimes reads a calm practical question in a new practice's words as a crisis
(calling off a dosing session the night before). Teaching the question to its section cannot move
the classifier enough. So when a message is a near-copy of a question the practice itself wrote
under a section (a bank line or an FAQ heading) and the reply quotes that section, the
classifier's ``urgent`` becomes ``concern``: the crisis resources stay first, and the answer
follows below them. Never lowered:
- a rule's ``urgent`` (explicit imminent danger, ``rules.yaml``);
- a message with more than ``EXTRA_WORDS`` words beyond the question it copies, since a crisis
  said beside a practical question ("... anyway, what's your cancellation policy") keeps the
  crisis reply alone;
- a message read in parts or with an earlier one: only the message itself, ranked whole, counts.

``SIMILARITY`` and ``EXTRA_WORDS`` were chosen before any sealed set measured them, on the
training data (``evals/own-question-dev.md``): none of the 5,662 crisis training messages comes
within them of any of eighteen practices' 5,936 questions (bank lines and FAQ headings), with
either model's vectors.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kapbot.models import Answer
from kapbot.safety.policy import Label, SafetyVerdict, Tier
from kapbot.text import word_count

SIMILARITY = 0.85  # cosine of the message to the practice's question, at least
EXTRA_WORDS = 4  # words the message may have beyond that question's (``text.word_count``)


@dataclass(frozen=True)
class OwnQuestion:
    """The practice's own question nearest a message, in the section its reply quotes."""

    text: str
    similarity: float


def of_answer(answer: Answer, message: str) -> OwnQuestion | None:
    """The practice's question nearest ``message``, when ``answer`` quotes that question's
    section and ranked ``message`` itself (not a part of it, not a reading in context)."""
    if answer.kind != "answer" or answer.question != message or not answer.candidates:
        return None
    if not answer.topic or answer.candidates[0].section.id != answer.topic_section:
        return None
    return OwnQuestion(answer.topic, answer.topic_similarity)


def lowered(verdict: SafetyVerdict, message: str, own: OwnQuestion | None) -> SafetyVerdict:
    """``verdict`` at ``concern`` when it is the classifier's ``urgent`` and ``message`` is a
    near-copy of ``own``; else ``verdict`` unchanged."""
    if verdict.tier is not Tier.URGENT or verdict.by_rule or own is None:
        return verdict
    if own.similarity < SIMILARITY or word_count(message) > word_count(own.text) + EXTRA_WORDS:
        return verdict
    return dataclasses.replace(
        verdict, tier=Tier.CONCERN, label=Label.OTHER,
        decided_by=(f"{verdict.decided_by}; lowered to concern: a near-copy "
                    f"({own.similarity:.2f}) of the practice's question {own.text!r}"))
