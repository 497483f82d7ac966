"""``Bot``: the one object every front end asks. ``Bot.ask(message) -> Answer``.

Steps: read the message safely → screen it (crisis, scope, medical) → retrieve (dense hits from
Chroma, lexical BM25 in memory) → rank and decide → compose. The embedder and the store are
constructor arguments, so tests can pass their own; by default they are the real model and a
persistent Chroma store in ``settings.data_dir``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kapbot import compose, exemplars, wording
from kapbot.chunking import chunk_sections
from kapbot.corpus import Corpus, load_corpus
from kapbot.embeddings import Embedder, SentenceTransformerEmbedder
from kapbot.errors import KapbotError, StoreUnavailable
from kapbot.history import History
from kapbot.lexical import BM25
from kapbot.models import Answer, Section, Unit
from kapbot.retrieval import Ranking, Weights, decide, rank
from kapbot.safety import Screen, SemanticScreen, resolved_history, screen
from kapbot.settings import Settings
from kapbot.store import Store
from kapbot.text import clean_question, split_sentences

log = logging.getLogger("kapbot")
answers_log = logging.getLogger("kapbot.answers")  # kind, counts and latency; never message text


@dataclass(frozen=True)
class IndexReport:
    fingerprint: str
    units: int
    sections: int
    documents: int
    rebuilt: bool
    reason: str  # why it was rebuilt, or "" when it was current
    problems: tuple[str, ...] = ()


class Bot:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        store: Store | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.settings = settings
        self.embedder: Embedder = embedder or SentenceTransformerEmbedder(settings.model_path)
        self.store = store or Store(
            settings.data_dir / "chroma", self.embedder, settings.collection
        )
        self.weights = weights or Weights()
        self.voice = compose.Voice(
            settings.practice_name, settings.therapist_name, settings.disclaimer_text,
            settings.booking_url,
        )
        self._lock = threading.Lock()
        self._ready = False
        self.corpus: Corpus | None = None
        self.report: IndexReport | None = None
        self._sections: dict[str, Section] = {}
        self._text_units: list[Unit] = []
        self._question_ids: list[str] = []
        self._bm25: BM25 | None = None
        self._question_bm25: BM25 | None = None
        self._semantic_screen: SemanticScreen | None = None
        self.history: History | None = None
        if settings.store_conversations:
            self.history = History(settings.data_dir / "conversations.sqlite3",
                                   settings.retention_days)

    # -- the index ---------------------------------------------------------------------------
    def prepare(
        self, force: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> IndexReport:
        """Load the corpus and make sure the index matches it; rebuild when it does not."""
        with self._lock:
            corpus = load_corpus(self.settings.corpus_dir)
            units = chunk_sections(
                corpus.sections, self.settings.chunk_size, self.settings.chunk_overlap
            )
            fingerprint = corpus.fingerprint(self.settings.index_fingerprint(), self.embedder.name)
            self.store.open()
            current, why = (False, "a rebuild was asked for") if force else self.store.is_current(
                fingerprint
            )
            if self.store.recovered:
                why = f"the index was unreadable ({self.store.recovered})"
            if not current:
                log.warning("Rebuilding the index at %s: %s", self.store.path, why)
                self.store.rebuild(units, fingerprint, progress)
                log.info("Index built: %d units from %d sections", len(units),
                         len(corpus.sections))
            self.corpus = corpus
            self._sections = {s.id: s for s in corpus.sections}
            self._text_units = [u for u in units if u.type != "question"]
            self._bm25 = BM25([u.quote for u in self._text_units])
            questions = [u for u in units if u.type == "question"]
            self._question_ids = [u.id for u in questions]
            self._question_bm25 = BM25([u.text for u in questions])
            self.report = IndexReport(
                fingerprint, len(units), len(corpus.sections), len(corpus.documents),
                not current, "" if current else why, corpus.problems,
            )
            self._ready = True
            self._semantic()  # embed the crisis examples now, not on a visitor's first message
            if self.history is not None:
                purged = self.history.purge()
                log.info("Stored conversations are on: kept %d days, %d older purged",
                         self.settings.retention_days, purged)
            if self.settings.booking_is_placeholder:
                log.warning(
                    "booking_url is still the placeholder %s: set it in kapbot.toml or "
                    "KAPBOT_BOOKING_URL before going live", self.settings.booking_url
                )
            return self.report

    # -- answering ---------------------------------------------------------------------------
    def retrieve(
        self, question: str, use_bank: bool | None = None, vector: list[float] | None = None
    ) -> tuple[Ranking, list[float]]:
        """Rank sections for ``question``; also returns the question's embedding."""
        if not self._ready:
            self.prepare()
        assert self._bm25 is not None and self._question_bm25 is not None
        bank = self.settings.use_bank if use_bank is None else use_bank
        if vector is None:
            vector = self.embedder.embed([question])[0]
        hits = self.store.query(vector, "question", k=40)
        hits += self.store.query(vector, "passage", k=12)
        hits += self.store.query(vector, "sentence", k=40)
        lexical: dict[str, float] = {}
        for unit, score in zip(self._text_units, self._bm25.scores(question), strict=True):
            if score > lexical.get(unit.section_id, 0.0):
                lexical[unit.section_id] = score
        question_lexical = {
            uid: score
            for uid, score in zip(self._question_ids, self._question_bm25.scores(question),
                                  strict=True)
            if score > 0
        }
        ranking = rank(hits, lexical, self._sections, self.weights, bank, question_lexical)
        return ranking, vector

    def ask(
        self, message: object, use_bank: bool | None = None, after_crisis: bool = False
    ) -> Answer:
        """Answer one visitor message. Never raises: every failure becomes a kind reply.
        ``after_crisis``: the conversation had a crisis reply, so the resources stay in view."""
        started = time.perf_counter()
        answer = self._ask(message, use_bank)
        if after_crisis:
            answer = compose.with_reminder(answer, wording.CRISIS_REMINDER)
        if self.history is not None:
            try:
                self.history.record(answer)
            except Exception:
                log.exception("Could not store the conversation (store_conversations is on)")
        answers_log.info(
            "answered kind=%s sources=%d ms=%.0f reason=%s", answer.kind, len(answer.sources),
            (time.perf_counter() - started) * 1000, answer.reason.split(":")[0],
        )
        return answer

    def _ask(self, message: object, use_bank: bool | None) -> Answer:
        voice, limit = self.voice, self.settings.max_question_chars
        cleaned = clean_question(message, limit)
        question = cleaned.text
        if cleaned.problem in ("empty", "too_long", "not_text"):
            return compose.fixed(question, "invalid", wording.invalid(cleaned.problem, limit),
                                 voice, cleaned.problem)
        verdict, vector = self._screen(question)
        if verdict.verdict == "crisis":
            return compose.fixed(question, "crisis", wording.CRISIS, voice, verdict.rule)
        if verdict.verdict == "scope":
            template = wording.SCOPE["diagnose" if verdict.rule == "diagnose" else "instructions"]
            return compose.fixed(question, "no_answer", template, voice, verdict.rule)
        if verdict.verdict == "medical":
            return compose.fixed(question, "medical", wording.MEDICAL, voice, verdict.rule)
        if cleaned.problem == "not_english":
            return compose.fixed(question, "no_answer", wording.NOT_ENGLISH, voice, "not_english")
        try:
            ranking, vector = self.retrieve(question, use_bank, vector)
            decision = decide(
                ranking, self.settings.answer_threshold, self.settings.not_covered_margin
            )
            if not decision.answer or ranking.top is None:
                return compose.fixed(question, "no_answer", wording.NO_ANSWER, voice,
                                     decision.reason, ranking.passages[:5])
            top = ranking.top
            sentences = split_sentences(top.section.text)
            scores = self._sentence_scores(question, vector, top.section, sentences)
            return compose.answer(question, top, sentences, scores, voice,
                                  self.settings.max_quote_words, ranking.passages[:5],
                                  decision.reason)
        except StoreUnavailable:
            log.exception("The index is unavailable")
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "unavailable")
        except KapbotError:
            log.exception("Could not answer")
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "error")
        except Exception:  # a visitor never sees a traceback, whatever broke
            log.exception("Unexpected error while answering")
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "error")

    def _screen(self, question: str) -> tuple[Screen, list[float] | None]:
        """Rules, then the semantic crisis screen; also returns the question's embedding."""
        verdict = screen(question)
        if verdict.verdict == "crisis":
            return verdict, None
        # the message and each of its sentences: a crisis can hide in a long message
        sentences = split_sentences(question)
        texts = [question, *sentences[:12]] if len(sentences) > 1 else [question]
        vectors = self._embed_for_screen(texts)
        semantic_screen = self._semantic() if vectors else None
        if vectors and semantic_screen is not None and not resolved_history(question):
            # overruling a rule that already found a medical or scope question takes more
            semantic = semantic_screen.check_all(vectors, extra=0.05 if verdict.verdict else 0)
            if semantic.verdict:
                verdict = semantic
        return verdict, (vectors[0] if vectors else None)

    def crisis_reply(self, message: object) -> Answer | None:
        """The crisis reply if ``message`` shows a crisis, else None: for a visitor who is being
        rate-limited, whose crisis message must still get its answer."""
        cleaned = clean_question(message, self.settings.max_question_chars)
        if cleaned.problem in ("empty", "too_long", "not_text"):
            return None
        verdict, _ = self._screen(cleaned.text)
        if verdict.verdict != "crisis":
            return None
        return compose.fixed(cleaned.text, "crisis", wording.CRISIS, self.voice, verdict.rule)

    def limited(self, message: object) -> Answer:
        """The reply for a visitor over the rate limit: crisis replies are never withheld."""
        crisis = self.crisis_reply(message)
        if crisis is not None:
            return crisis
        question = clean_question(message, self.settings.max_question_chars).text
        return compose.fixed(question, "no_answer", wording.RATE_LIMITED, self.voice,
                             "rate_limited")

    def _semantic(self) -> SemanticScreen | None:
        """The semantic crisis screen, built once: it needs the model, not the index."""
        if self._semantic_screen is None:
            try:
                crisis = self.embedder.embed(list(exemplars.CRISIS))
                safe = self.embedder.embed(list(exemplars.LOOK_ALIKES))
            except Exception:
                log.exception("Could not build the semantic crisis screen; rules still apply")
                return None
            self._semantic_screen = SemanticScreen(
                tuple(tuple(v) for v in crisis), tuple(tuple(v) for v in safe),
                self.settings.crisis_threshold, self.settings.crisis_margin,
            )
        return self._semantic_screen

    def _embed_for_screen(self, texts: list[str]) -> list[list[float]]:
        """Embeddings for the screen, or none if the model fails (the rules still screened)."""
        try:
            return self.embedder.embed(texts)
        except Exception:
            log.exception("Could not embed a message for the crisis screen")
            return []

    def _sentence_scores(
        self, question: str, vector: list[float], section: Section, sentences: list[str]
    ) -> list[float]:
        """Dense similarity of each sentence of ``section`` to the question, plus BM25."""
        hits = self.store.query(vector, "sentence", k=max(1, len(sentences)), section_id=section.id)
        dense = {u.position: sim for u, sim in hits}
        lexical = BM25(sentences).scores(question) if sentences else []
        return [dense.get(i + 1, 0.0) + 0.5 * lexical[i] for i in range(len(sentences))]
