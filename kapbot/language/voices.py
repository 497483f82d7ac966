"""The bot's languages: which one a message is in (``kapbot.language.langdetect``), the voice
each reply is framed in (``compose.voice_for``), the over-limit replies in each language, and
answers to questions not in English (``kapbot.language.crosslingual``)."""

from __future__ import annotations

import logging

from kapbot.compose import Voice, voice_for
from kapbot.corpus.reader import Corpus
from kapbot.index.embeddings import Embedder
from kapbot.index.vectorcache import VectorCache
from kapbot.language.choice import Lang, parse_languages
from kapbot.language.crosslingual import CrossLingual
from kapbot.language.langdetect import LanguageDetector
from kapbot.models import Answer
from kapbot.safety import overlimit
from kapbot.safety.overlimit import OverLimit
from kapbot.safety.policy import SafetyVerdict
from kapbot.safety.screener import Screener
from kapbot.settings import Settings
from kapbot.text import CleanQuestion, clean_question

log = logging.getLogger("kapbot")


class Voices:
    def __init__(self, settings: Settings, screener: Screener, multilingual: Embedder,
                 corpus_vectors: Embedder | None = None) -> None:
        self.detector = LanguageDetector(parse_languages(settings.languages))
        self.voice: dict[str, Voice] = {lang: voice_for(settings, lang) for lang in Lang}
        self.over_limit = {lang: OverLimit(screener, voice, settings.max_question_chars,
                                           self.other_language)
                           for lang, voice in self.voice.items()}
        # the corpus's multilingual vectors are remembered between starts; a visitor's are not
        self.across = CrossLingual(multilingual, settings.max_quote_words, corpus_vectors or
                                   VectorCache(multilingual, settings.learnt("vectors")))
        self.max_chars = settings.max_question_chars

    def ready(self, corpus: Corpus) -> None:
        """Load the detector and make the corpus's multilingual vectors now, not on a visitor's
        first message (a failure is logged: they are tried again per message)."""
        try:
            self.detector.ready()
            if len(self.detector.allowed) > 1:
                self.across.ready(corpus)
        except Exception:
            log.exception("Could not prepare the answers in other languages")

    def crisis(self, question: str, verdict: SafetyVerdict, voice: Voice) -> Answer:
        """The crisis reply in ``voice``; when the message mixes English and Spanish, the other
        language's line to reach 988 follows it (``other_language``). The replies over a limit
        (``OverLimit``) add it the same way."""
        return overlimit.crisis(question, verdict, voice,
                                self.other_language(question, voice.lang))

    def other_language(self, question: str, lang: str) -> str | None:
        """The other language ``question`` is partly in, beside the reply's ``lang``
        (``LanguageDetector.other_language``); None when it is not mixed, or when the detector
        fails: the crisis reply goes out whatever the detector does."""
        try:
            other = self.detector.other_language(question, Lang(lang))
        except Exception:
            log.exception("Could not tell whether a message mixes languages")
            return None
        return other.value if other is not None else None

    def of(self, message: object, previous: str | None = None,
           cleaned: CleanQuestion | None = None) -> Lang:
        """The language of a visitor's raw message; ``previous``: the conversation's so far
        (``Bot.ask(language=...)``), kept when the message is unclear. ``cleaned``: the message
        as ``clean_question`` read it, when the caller has it."""
        cleaned = clean_question(message, self.max_chars) if cleaned is None else cleaned
        if cleaned.problem in ("empty", "not_text"):  # no words in any language (markup alone)
            return self.detector.of_message("", previous, self.max_chars)
        return self.detector.of_message(cleaned.text or message, previous, self.max_chars)
