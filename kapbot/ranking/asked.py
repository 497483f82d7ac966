"""What a message asks: its question sentences, when it also tells something. Pure.

"I've been depressed for years and nothing worked. How long does a session last?" carries its
question in its last sentence; the rest is context that can pull the ranking to another section.
Such a message is ranked as a whole and as its question sentence(s) (``readings``), and the
reading whose best section is likeliest to answer is taken (``kapbot.bot``). A question
sentence ends with "?" or starts with a question word (English or Spanish).
"""

from __future__ import annotations

import re
import unicodedata

from kapbot.models import Answer
from kapbot.text import clauses

QUESTION_WORDS = frozenset(  # not "when", "como", "hay": they often start a statement
    """what whats what's where which who whom whose why how is are am was were do does did can
    could should would will may might must shall tell explain qué cuándo dónde cuál cuáles quién
    quiénes cómo cuánto cuánta cuántos cuántas puedo puede pueden""".split())
_FIRST = re.compile(r"[\w'’]+")


def is_question(sentence: str) -> bool:
    """A sentence that asks: ends with "?" (or starts with "¿"), or starts with a question
    word."""
    s = sentence.strip().rstrip(" .!…")
    if s.endswith("?") or s.startswith("¿"):
        return True
    first = _FIRST.search(s.casefold())
    return first is not None and first.start() <= 1 and \
        first.group(0).replace("’", "'") in QUESTION_WORDS


def asks(message: str) -> bool:
    """Whether any sentence of ``message`` asks something ("I want to die" does not; "and
    after?" and "tell me about integration" do)."""
    return any(is_question(p) and _has_word(p) for p in clauses(message))


# a message with no question in it, to which the resources are shown first ("concern"), is
# quoted below them only when the writing very likely answers it: dictated and unpunctuated
# questions ("cuantas sesiones voy a necesitar en total") have no question sentence.
# Development (evals/spanish-dev3.jsonl and the others: 43 such messages): at 0.8, 9 of 14
# answerable ones quoted, none of the 10 crisis ones (the highest was 0.74). On the sealed
# e10, 3 more of 22 crisis messages got a quote below the resources (evals/HISTORY.md)
UNASKED_ANSWER_SURE = 0.8


def worth_quoting(message: str, answer: Answer) -> bool:
    """Whether ``answer`` is quoted below the crisis resources: the message asks something, or
    the writing very likely answers it (``UNASKED_ANSWER_SURE``). "I want to die" is not."""
    return asks(message) or (answer.kind == "answer"
                             and answer.confidence >= UNASKED_ANSWER_SURE)


def question_sentences(message: str) -> tuple[str, ...]:
    """The message's question sentences, in order, when it has other sentences too; else ()."""
    parts = clauses(message)
    asked = [p for p in parts if is_question(p) and _has_word(p)]
    if not asked or len(asked) == len(parts):
        return ()
    return tuple(asked)


def readings(message: str) -> tuple[str, ...]:
    """What to rank for ``message``: itself first, then its question sentences together, then
    each alone (no repeats)."""
    asked = question_sentences(message)
    out = [message, " ".join(asked), *asked] if asked else [message]
    return tuple(dict.fromkeys(out))


def _has_word(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
