"""The language detector: ``lingua-language-detector`` (offline; its models are in the wheel),
limited to the configured languages. The only module that imports ``lingua``. If it cannot load,
the message's cue words alone decide (``kapbot.language.choose``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from kapbot.language import Lang, choose

log = logging.getLogger("kapbot")

_LINGUA_NAMES = {Lang.EN: "ENGLISH", Lang.ES: "SPANISH"}


class LanguageDetector:
    def __init__(self, allowed: Sequence[Lang]) -> None:
        self.allowed = tuple(allowed)
        self._detector: Any = None
        self._failed = False
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._detector is None and not self._failed and len(self.allowed) > 1:
                try:
                    from lingua import Language, LanguageDetectorBuilder

                    languages = [getattr(Language, _LINGUA_NAMES[lang]) for lang in self.allowed]
                    self._detector = LanguageDetectorBuilder.from_languages(
                        *languages).with_preloaded_language_models().build()
                except Exception:  # the cue words still decide
                    log.exception("Could not load the language detector; cue words decide")
                    self._failed = True
            return self._detector

    def ready(self) -> None:
        self._load()

    def confidences(self, text: str) -> dict[Lang, float]:
        detector = self._load()
        if detector is None:
            return {}
        by_name = {name: lang for lang, name in _LINGUA_NAMES.items()}
        try:
            values = detector.compute_language_confidence_values(text)
        except Exception:
            log.exception("The language detector failed on a message; cue words decide")
            return {}
        return {by_name[v.language.name]: float(v.value) for v in values
                if v.language.name in by_name}

    def detect(self, text: str, previous: Lang | None = None) -> Lang:
        return choose(text, self.confidences(text), self.allowed, previous)

    def of_message(self, message: object, previous: str | None, max_chars: int) -> Lang:
        """A visitor's raw message's language; ``previous``: the conversation's, if known."""
        before = next((lang for lang in self.allowed if lang.value == previous), None)
        raw = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        text = raw[:max_chars] if isinstance(raw, str) else ""
        return self.detect(text, before) if text.strip() else before or self.allowed[0]
