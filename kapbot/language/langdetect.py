"""The language detector: ``lingua-language-detector`` (offline; its models are in the wheel),
limited to the configured languages. The only module that imports ``lingua``. It reads a
message's ``Signals`` for the learnt choice between English and Spanish, whose weights it loads
from ``kapbot/language/language_choice.json`` (``evals/train_language_choice.py`` writes it). If
the detector cannot load, the message's cue words alone decide (``kapbot.language.choice.choose``);
if the weights cannot, the detector's confidences and the cue words do."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kapbot.language.choice import UNSURE, Lang, Signals, SpanishOdds, choose, spelt_out

log = logging.getLogger("kapbot")

_LINGUA_NAMES = {Lang.EN: "ENGLISH", Lang.ES: "SPANISH"}
CHOICE_FILE = Path(__file__).with_name("language_choice.json")
RECENT = 8  # messages whose signals are remembered (``LanguageDetector.signals``)


def load_odds(path: Path = CHOICE_FILE) -> SpanishOdds | None:
    """The learnt English / Spanish choice, or None (logged) when its file cannot be read."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return SpanishOdds(tuple(float(w) for w in saved["weights"]), float(saved["bias"]),
                           float(saved["switch"]), float(saved["stay"]),
                           {str(k): float(v) for k, v in saved.get("words", {}).items()})
    except (OSError, ValueError, KeyError, TypeError):
        log.exception("Could not read the language choice at %s; cue words decide", path)
        return None


class LanguageDetector:
    def __init__(self, allowed: Sequence[Lang]) -> None:
        self.allowed = tuple(allowed)
        self._detector: Any = None
        self._failed = False
        self._lock = threading.Lock()
        self.odds = load_odds() if set(self.allowed) == {Lang.EN, Lang.ES} else None
        # the last few messages' signals, by a digest of their text (never the text): a crisis
        # reply asks whether the message mixes languages (``other_language``) right after its
        # language was chosen (``detect``), and the detector is read once for both
        self._recent: OrderedDict[str, Signals] = OrderedDict()

    def _load(self) -> Any:
        with self._lock:
            if self._detector is None and not self._failed and len(self.allowed) > 1:
                try:
                    from lingua import Language, LanguageDetectorBuilder

                    languages = [getattr(Language, _LINGUA_NAMES[lang]) for lang in self.allowed]
                    # low accuracy mode: trigram models only, about 8 MB where all n-gram
                    # models take about 64; the learnt choice reads its signals with the cue
                    # words, and does as well on them (evals/language-choice.md)
                    self._detector = LanguageDetectorBuilder.from_languages(
                        *languages).with_low_accuracy_mode().with_preloaded_language_models(
                        ).build()
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
            values = detector.compute_language_confidence_values(spelt_out(text))
        except Exception:
            log.exception("The language detector failed on a message; cue words decide")
            return {}
        return {by_name[v.language.name]: float(v.value) for v in values
                if v.language.name in by_name}

    def spanish_share(self, text: str) -> float:
        """The share of the message's words in stretches the detector reads as Spanish."""
        detector = self._load()
        if detector is None:
            return 0.0
        try:
            spans = detector.detect_multiple_languages_of(spelt_out(text))
        except Exception:
            log.exception("The language detector failed on a message; cue words decide")
            return 0.0
        words = sum(span.word_count for span in spans)
        spanish = sum(span.word_count for span in spans if span.language.name == "SPANISH")
        return spanish / words if words else 0.0

    def signals(self, text: str, confidences: dict[Lang, float] | None = None) -> Signals:
        key = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
        with self._lock:
            if key in self._recent:
                return self._recent[key]
        known = self.confidences(text) if confidences is None else confidences
        read = Signals(known.get(Lang.ES, 0.0), self.spanish_share(text))
        with self._lock:
            self._recent[key] = read
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return read

    def detect(self, text: str, previous: Lang | None = None) -> Lang:
        confidences = self.confidences(text)
        if self.odds is None or not confidences:
            return choose(text, confidences, self.allowed, previous)
        return choose(text, confidences, self.allowed, previous,
                      self.signals(text, confidences), self.odds)

    def other_language(self, text: str, lang: Lang) -> Lang | None:
        """The language besides ``lang`` when ``text`` mixes English and Spanish (its learnt
        probability of Spanish within ``UNSURE``); None when it reads as one language, or when
        the learnt choice is not in use."""
        if self.odds is None or not text.strip():
            return None
        probability = self.odds.probability(text, self.signals(text))
        if not UNSURE[0] <= probability < UNSURE[1]:
            return None
        return Lang.EN if lang is Lang.ES else Lang.ES

    def of_message(self, message: object, previous: str | None, max_chars: int) -> Lang:
        """A visitor's raw message's language; ``previous``: the conversation's, if known."""
        before = next((lang for lang in self.allowed if lang.value == previous), None)
        raw = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        text = raw[:max_chars] if isinstance(raw, str) else ""
        return self.detect(text, before) if text.strip() else before or self.allowed[0]
