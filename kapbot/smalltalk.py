"""Content-free messages: a greeting, thanks, an acknowledgement, laughter or emoji alone.

Such a message carries no question, so kapbot does not search the writing for it: it replies
kindly, invites a question and offers the starter questions (``kapbot.bot``, after the safety
screen, which reads every message first). The phrases are data, ``smalltalk.yaml`` beside this
module (English and Spanish, with a note of what it covers). High precision by design: a
message is content-free only when every word of it belongs to a listed phrase, so "ok, how much
is it?" or "and after?" is never caught.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from kapbot import compose, wording
from kapbot.models import Answer, Kind, Suggestion
from kapbot.settings import Settings
from kapbot.text import plain_words

PHRASES_FILE = Path(__file__).resolve().parent / "smalltalk.yaml"
OFFERED = 2  # starter questions offered as buttons (the chat shows two "did you mean" buttons)
LONGEST = 5  # words in the longest phrase tried
MAX_WORDS = 8  # a longer message is never content-free


class Move(enum.Enum):
    """What a content-free message does; the order is which one a mixed message is taken as."""

    THANKS = "thanks"
    GREETING = "greeting"
    ACKNOWLEDGEMENT = "acknowledgement"
    LAUGHTER = "laughter"
    EMOJI = "emoji"  # only emoji and punctuation

    @property
    def kind(self) -> Kind:
        """The reply's kind: ``greeting`` for a greeting, else ``acknowledgement``."""
        return "greeting" if self is Move.GREETING else "acknowledgement"

    @property
    def wording(self) -> str:
        return {Move.GREETING: wording.GREETING, Move.THANKS: wording.THANKS}.get(
            self, wording.ACKNOWLEDGEMENT)


@dataclass(frozen=True)
class SmallTalk:
    """A content-free message: what it does (the reply is in the conversation's language)."""

    move: Move


@dataclass(frozen=True)
class Phrases:
    words: dict[tuple[str, ...], Move]  # a normalised phrase (its words) and its move
    laughter: tuple[re.Pattern[str], ...]  # one-word patterns


@functools.cache
def phrases(path: Path = PHRASES_FILE) -> Phrases:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words: dict[tuple[str, ...], Move] = {}
    laughter: list[re.Pattern[str]] = []
    for name, by_lang in data.items():  # move: {en: [...], es: [...]}
        move = Move(name)
        for entries in by_lang.values():
            for entry in entries:
                if not isinstance(entry, str):
                    raise ValueError(f"{path}: {entry!r} is not text: quote it")
                if move is Move.LAUGHTER:
                    laughter.append(re.compile(entry))
                else:
                    words.setdefault(tuple(plain_words(entry)), move)
    return Phrases(words, tuple(laughter))


def _one(word: str, table: Phrases) -> Move | None:
    for variant in dict.fromkeys((word, re.sub(r"(.)\1+", r"\1", word))):
        if (variant,) in table.words:
            return table.words[(variant,)]
        if any(pattern.fullmatch(variant) for pattern in table.laughter):
            return Move.LAUGHTER
    return None


def _cover(words: list[str], table: Phrases) -> list[Move] | None:
    """The moves of the phrases that make up ``words`` exactly (longest first), or None if any
    word is left."""
    found: list[Move] = []
    i = 0
    while i < len(words):
        for size in range(min(LONGEST, len(words) - i), 0, -1):
            part = tuple(words[i:i + size])
            hit = table.words.get(part) if size > 1 else _one(part[0], table)
            if hit is not None:
                found.append(hit)
                i += size
                break
        else:
            return None
    return found


def read(message: str, table: Phrases | None = None) -> SmallTalk | None:
    """What ``message`` is when it carries no question, else None."""
    if not message.strip():
        return None
    table = table or phrases()
    words = plain_words(message)
    if not words:  # emoji and punctuation only (a letter or digit would be a word)
        return SmallTalk(Move.EMOJI) if symbols_only(message, len(message)) else None
    if len(words) > MAX_WORDS:
        return None
    found = _cover(words, table)
    if not found:
        return None
    return SmallTalk(min(found, key=list(Move).index))


def symbols_only(message: object, limit: int) -> str:
    """``message`` with spaces folded when it is only emoji, punctuation and spaces (with the
    joiners emoji are built with), within ``limit`` characters; else "". Never bytes that were
    not text (U+FFFD, the replacement character)."""
    if not isinstance(message, str) or len(message) > limit:
        return ""
    folded = " ".join(message.split())
    return folded if folded and all(
        (unicodedata.category(ch)[0] in "SPZ" and ch not in "<>&\ufffd")
        or ch in "\u200d\ufe0e\ufe0f"
        for ch in folded) else ""


def reply(question: str, talk: SmallTalk, voice: compose.Voice, settings: Settings) -> Answer:
    """The kind reply to a content-free message, in ``voice``'s language, offering the first
    ``OFFERED`` starter questions (the ``starter_questions`` setting's) as suggestions."""
    starters = list(wording.ES_STARTERS) if voice.lang == "es" else wording.starters(
        settings.starter_questions)
    answer = compose.fixed(question, talk.move.kind, talk.move.wording, voice,
                           f"content-free message: {talk.move.value}")
    return dataclasses.replace(answer, suggestions=tuple(
        Suggestion("", "", q) for q in starters[:OFFERED]))
