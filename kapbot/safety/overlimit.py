"""Replies for a visitor over a limit (questions per minute, chat joins): a crisis reply is never
withheld, and a flood costs no model work. The rules screen every message; the full screen runs
``FULL_SCREENS_PER_MINUTE`` times a minute per visitor, and a crisis it finds is remembered for
that message (the chat asks twice: at its queue join, then for its reply)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from kapbot import compose, wording
from kapbot.guard import RateLimiter
from kapbot.models import Answer
from kapbot.safety.policy import SafetyVerdict, Tier
from kapbot.safety.screener import Screener
from kapbot.text import clean_question

FULL_SCREENS_PER_MINUTE = 60  # as many as one visitor may queue (joins_per_minute)
REMEMBERED = 256


# the other language a message is partly in, given the reply's (``Voices.other_language``)
OtherLanguage = Callable[[str, str], "str | None"]


class OverLimit:
    def __init__(self, screener: Screener, voice: compose.Voice, max_chars: int,
                 other_language: OtherLanguage = lambda text, lang: None) -> None:
        self.screener = screener
        self.voice = voice
        self.max_chars = max_chars
        self.other_language = other_language
        self._full_screens = RateLimiter(FULL_SCREENS_PER_MINUTE)
        self._crises: dict[str, Answer] = {}
        self._lock = threading.Lock()

    def crisis_reply(self, message: object, full: bool = True) -> Answer | None:
        """The crisis reply if ``message`` is urgent, else None. ``full=False``: the rules only."""
        urgent = self._urgent(message, full)
        return self._crisis(*urgent) if urgent is not None else None

    def is_urgent(self, message: object, full: bool = True) -> bool:
        """Whether ``message`` would get the crisis reply (``crisis_reply``), without making
        it: the chat's queue asks this of every event it holds back."""
        return self._urgent(message, full) is not None

    def _urgent(self, message: object, full: bool) -> tuple[str, SafetyVerdict] | None:
        cleaned = clean_question(message, self.max_chars)
        if cleaned.problem in ("empty", "too_long", "not_text"):
            return None
        verdict = (self.screener.check(cleaned.text) if full
                   else self.screener.rules_only(cleaned.text))
        return (cleaned.text, verdict) if verdict.tier is Tier.URGENT else None

    def crisis_for(self, message: object, visitor: str) -> Answer | None:
        """The reply ``message`` must get even over a limit: the crisis reply (``urgent``), or
        the resources above the rate-limit reply (``concern``); None when neither applies."""
        found = self.crisis_reply(message, full=False) or self._crises.get(str(message))
        if found is None and self._full_screens.allow(visitor):
            cleaned = clean_question(message, self.max_chars)
            if cleaned.problem not in ("empty", "too_long", "not_text"):
                verdict = self.screener.check(cleaned.text)
                if verdict.tier is Tier.URGENT:
                    found = self._crisis(cleaned.text, verdict)
                elif verdict.tier is Tier.CONCERN:
                    found = compose.with_resources(self._limited(cleaned.text), wording.CONCERN)
            with self._lock:
                if found is not None:
                    self._crises[str(message)] = found
                while len(self._crises) > REMEMBERED:
                    del self._crises[next(iter(self._crises))]
        return found

    def reply(self, message: object, visitor: str) -> Answer:
        found = self.crisis_for(message, visitor)
        if found is not None:
            return found
        return self._limited(clean_question(message, self.max_chars).text)

    def _crisis(self, question: str, verdict: SafetyVerdict) -> Answer:
        return crisis(question, verdict, self.voice, self.other_language(question, self.voice.lang))

    def _limited(self, question: str) -> Answer:
        return compose.fixed(question, "no_answer", wording.RATE_LIMITED, self.voice,
                             "rate_limited")


def crisis(question: str, verdict: SafetyVerdict, voice: compose.Voice,
           also_in: str | None = None) -> Answer:
    """The crisis reply (the ``urgent`` tier): the resources, nothing from the article.
    ``also_in``: another language the message is partly in; its line to reach 988 follows."""
    body = voice.say(wording.CRISIS)
    if also_in is not None:
        body += "\n\n" + wording.phrase("CRISIS_OTHER_LANGUAGE", also_in)
    answer = compose.said(question, "crisis", body, voice, verdict.decided_by)
    return dataclasses.replace(answer, safety="urgent")
