"""Follow-up questions: how a message is read in the light of the visitor's earlier ones. Pure
(the learnt weights are package data, ``followup.json``, read once at import).

A message that leans on the one before it ("how long does that take?", "and after?", "is that
online too?", "what if I don't want to?") is read together with the question it follows, so it
is ranked with that question's section; a self-contained question is read alone, whatever came
before ("ok cool. is there parking near you?"). Which messages lean is learnt
(``FollowUpOdds``): a logistic model over a few signs of the message (its length, a leading
"and"/"what about", words pointing back, its own content words and how many of them are new
after the earlier message), fitted on conversations written by separate writers for other
practices (``evals/train_follow_up.py``, ``evals/follow-up.md``). Which of a message's readings
answers is the decision's call (``kapbot.ranking.reply.alternatives``). The safety screen reads
the new message on its own as well as in context (``kapbot.bot``).
"""

from __future__ import annotations

import enum
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kapbot.odds import logistic
from kapbot.text import plain_words, words

MAX_HISTORY = 5  # earlier messages read, the most recent ones
LEADS = ("and", "but", "also", "then", "so", "or", "plus", "what about", "how about",
         "what if", "same for", "and if", "y", "pero", "entonces", "y si", "tambien")
ANAPHORS = frozenset({"that", "this", "it", "its", "those", "these", "they", "them", "their",
                      "there", "he", "she", "one", "ones", "same", "too", "either", "else",
                      "eso", "esa", "ese", "esto", "ella", "ahi", "tambien"})
SWITCHES = ("ok thanks", "ok thank you", "thanks", "thank you", "also", "another question",
            "different question", "one more thing", "another thing", "unrelated", "btw",
            "by the way", "separate question", "new question", "ok", "okay", "cool", "got it")
# a message starting with one of these is likely a whole question ("when" too: unlike
# kapbot.ranking.asked, which asks whether a sentence asks at all, this weighs how complete it is)
QUESTION_STARTS = frozenset("what where which who why how when is are do does did can could "
                            "should would will".split())
FOLLOW_UP_FILE = Path(__file__).resolve().parent / "followup.json"
# below the learnt level, a message this likely to lean on the one before ("maybe leaning") is
# also read with it when nothing else answers (``kapbot.ranking.reply.alternatives``). On the
# follow-up training data, held out by writer, 0.6 finds 111 of 139 leaning messages and
# misreads 14 of 138 self-contained ones (``evals/follow-up.md``); those cost nothing unless
# they are refused alone. Development (``evals/questions-dev2.jsonl``, ``-dev3``): at 0.6, 1
# more follow-up answered from its section (of 35), no question asked mid-chat changed (of
# 114) and no not-covered one answered (of 70); at 0.5, 2 not-covered ones were answered.
MAYBE_LEVEL = 0.6


def features(message: str, previous: str) -> list[float]:
    """The learnt model's inputs for ``message`` after ``previous``: its length in words, a
    leading "and"/"what about", a leading "ok thanks"/"also"/"different question", a leading
    question word, its words pointing back (count), its content words, those not in
    ``previous``, and the share of its content words that ``previous`` has."""
    plain = plain_words(message)
    lowered = " ".join(plain)
    content = words(message)
    before = set(words(previous))
    new = [w for w in content if w not in before]
    return [math.log1p(len(plain)),
            float(lowered.startswith(tuple(lead + " " for lead in LEADS))),
            float(lowered.startswith(tuple(switch + " " for switch in SWITCHES))),
            float(bool(plain) and plain[0] in QUESTION_STARTS),
            math.log1p(sum(w in ANAPHORS for w in plain)),
            math.log1p(len(content)), math.log1p(len(new)),
            (len(content) - len(new)) / len(content) if content else 0.0]


@dataclass(frozen=True)
class FollowUpOdds:
    """The learnt chance that a message leans on the one before it (``followup.json``)."""

    weights: tuple[float, ...]  # one per ``features``
    bias: float
    level: float  # from this probability a message is read as a follow-up

    def probability(self, message: str, previous: str) -> float:
        return logistic(self.bias + sum(w * x for w, x in zip(
            self.weights, features(message, previous), strict=True)))

    @staticmethod
    def load(path: Path = FOLLOW_UP_FILE) -> FollowUpOdds:
        data = json.loads(path.read_text(encoding="utf-8"))
        return FollowUpOdds(tuple(float(w) for w in data["weights"]), float(data["bias"]),
                            float(data["level"]))


@functools.cache
def shipped_odds() -> FollowUpOdds:
    return FollowUpOdds.load()


class Leaning(enum.Enum):
    """Whether a message leans on the visitor's message before it."""

    NO = "no"  # self-contained (or no words to lean with)
    MAYBE = "maybe"  # from ``MAYBE_LEVEL`` up to the learnt level
    YES = "yes"  # from the learnt level: read as a follow-up


@dataclass(frozen=True)
class Reading:
    """How a message is read: ``text`` is what is ranked (the message itself, or the earlier
    question and the message together), ``follows`` the earlier question it was read with."""

    text: str
    follows: str = ""
    only_if_unanswered: bool = False  # an alternative ranked only when no reading is answered
    any_section: bool = False  # read with ``follows``, it may leave the message alone's section
    may_lean: bool = False  # the message alone, which may lean on the one before (``MAYBE``)

    @property
    def is_follow_up(self) -> bool:
        return bool(self.follows)


def clean_history(history: object, limit: int) -> tuple[str, ...]:
    """The last ``MAX_HISTORY`` earlier messages that are text, each cut to ``limit``
    characters; anything else (not a list, not strings) reads as no history."""
    if not isinstance(history, (list, tuple)):
        return ()
    texts = [" ".join(h.split())[:limit] for h in history if isinstance(h, str)]
    return tuple(t for t in texts if t)[-MAX_HISTORY:]


def leaning(message: str, previous: str = "", odds: FollowUpOdds | None = None) -> Leaning:
    """Whether ``message`` leans on ``previous``, the visitor's message before it (learnt:
    ``FollowUpOdds``, the shipped one unless ``odds`` is given; one probability, two levels)."""
    if not plain_words(message):
        return Leaning.NO
    odds = odds or shipped_odds()
    p = odds.probability(message, previous)
    return Leaning.YES if p >= odds.level else Leaning.MAYBE if p >= MAYBE_LEVEL else Leaning.NO


def is_follow_up(message: str, previous: str = "", odds: FollowUpOdds | None = None) -> bool:
    """Whether ``message`` is read as a follow-up of ``previous`` (``leaning``)."""
    return leaning(message, previous, odds) is Leaning.YES


def maybe_follow_up(message: str, previous: str = "", odds: FollowUpOdds | None = None
                    ) -> bool:
    """Whether ``message`` may lean on ``previous`` (``MAYBE_LEVEL``), though it is not read as
    a follow-up (``is_follow_up``)."""
    return leaning(message, previous, odds) is Leaning.MAYBE


def read(message: str, history: Sequence[str]) -> Reading:
    """How to rank ``message`` after ``history`` (earlier messages, oldest first): with the
    latest earlier question (itself read in its own context) when it is a follow-up; alone,
    marked ``may_lean``, when it may lean on it (``Leaning.MAYBE``)."""
    lean = leaning(message, history[-1]) if history else Leaning.NO
    if lean is not Leaning.YES:
        return Reading(message, may_lean=lean is Leaning.MAYBE)
    previous = read(history[-1], history[:-1]).text
    return Reading(f"{previous} {message}", history[-1])

