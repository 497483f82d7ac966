"""Follow-up questions: how a message is read in the light of the visitor's earlier ones. Pure.

A short or pronoun-led message ("how long does that take?", "and after?", "is that online
too?") is read together with the question it follows, so it is ranked with that question's
section; a self-contained question is read alone, whatever came before. Which of a message's
readings answers is the decision's call (``kapbot.ranking.reply.alternatives``). The safety
screen reads the new message on its own as well as in context (``kapbot.bot``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_HISTORY = 5  # earlier messages read, the most recent ones
SHORT = 3  # a message of at most this many words is a follow-up
ANAPHOR_SHORT = 6  # ... and one of at most this many words that points back ("that", "it")
LEADS = ("and", "but", "also", "then", "so", "or", "plus", "what about", "how about",
         "what if", "same for", "and if")
ANAPHORS = frozenset({"that", "this", "it", "its", "those", "these", "they", "them", "their",
                      "there", "he", "she", "one", "ones", "same", "too", "either", "else"})
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Reading:
    """How a message is read: ``text`` is what is ranked (the message itself, or the earlier
    question and the message together), ``follows`` the earlier question it was read with."""

    text: str
    follows: str = ""
    only_if_unanswered: bool = False  # an alternative taken only when no reading is answered

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


def is_follow_up(message: str) -> bool:
    """Whether ``message`` leans on what came before: very short, led by "and"/"what about"
    and the like, or short and pointing back ("that", "it", "those")."""
    words = _WORD.findall(message.lower().replace("’", "'"))
    if not words:
        return False
    lowered = " ".join(words)
    if len(words) <= SHORT or lowered.startswith(tuple(lead + " " for lead in LEADS)):
        return True
    return len(words) <= ANAPHOR_SHORT and any(w in ANAPHORS for w in words)


def read(message: str, history: Sequence[str]) -> Reading:
    """How to rank ``message`` after ``history`` (earlier messages, oldest first): with the
    latest earlier question (itself read in its own context) when it is a follow-up."""
    if not history or not is_follow_up(message):
        return Reading(message)
    previous = read(history[-1], history[:-1]).text
    return Reading(f"{previous} {message}", history[-1])

