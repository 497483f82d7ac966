"""``Bot``: the one object every front end asks. ``Bot.ask(message) -> Answer``.

Steps: read the message safely → screen it (``kapbot.safety``: a tier, urgent / concern / none,
and a label, crisis / medical / scope / other) → a content-free message ("hi", "thanks", "ok")
gets a kind reply (``kapbot.smalltalk``) → retrieve (dense hits from Chroma, lexical BM25 in
memory) → rank and decide → compose (the crisis resources above the reply for ``concern``).
The embedder and the store are constructor arguments (tests pass their own); by default questions
are embedded by the ONNX model, the index is built with sentence-transformers in a Chroma store in
``settings.data_dir`` (or at ``settings.chroma_url``), loaded as one immutable ``Snapshot``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from kapbot import compose, followup, smalltalk, wording
from kapbot.corpus.reader import Corpus
from kapbot.errors import IndexDamaged, IndexNotReady, KapbotError, StoreUnavailable
from kapbot.index.embeddings import Embedder, OnnxEmbedder
from kapbot.index.snapshot import IndexReport, Snapshot, load_snapshot
from kapbot.index.store import Store
from kapbot.index.vectorcache import VectorCache, full_model
from kapbot.language.voices import Voices
from kapbot.messagevectors import MessageVectors, Vector
from kapbot.models import Answer
from kapbot.ranking import asked, reply
from kapbot.ranking.fusion import Ranking, Weights
from kapbot.ranking.search import SectionSearch
from kapbot.safety import ownquestion
from kapbot.safety.multilingual import MultilingualEmbedder
from kapbot.safety.policy import Label, SafetyVerdict, Thresholds, Tier
from kapbot.safety.screener import Screener
from kapbot.settings import Settings
from kapbot.storage.feedback import FeedbackStore
from kapbot.storage.gaps import GapLog, is_gap
from kapbot.storage.history import History
from kapbot.text import CleanQuestion, clean_question

log = logging.getLogger("kapbot")
answers_log = logging.getLogger("kapbot.answers")  # kind, counts and latency; never message text

GRAVITY = {Tier.NONE: 0, Tier.CONCERN: 1, Tier.URGENT: 2}


class Bot:
    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None,
        weights: Weights | None = None,
        index_embedder: Embedder | None = None,
        multilingual: Embedder | None = None,
    ) -> None:
        self.settings = settings
        # questions: the ONNX copy of the model (no torch); the index: sentence-transformers
        self.embedder: Embedder = embedder or OnnxEmbedder(
            settings.model_path, settings.learnt("onnx"),
            concurrency=settings.model_concurrency,
        )
        self.index_embedder: Embedder = index_embedder or embedder or \
            full_model(settings.model_path, settings.learnt("vectors"))
        self.store = store or Store(
            settings.data_dir / "chroma", self.index_embedder, settings.collection,
            settings.chroma_url,
        )
        self.weights = weights or Weights()
        self.search = SectionSearch.shipped(self.store, self.weights)
        self._lock = threading.Lock()  # one index build at a time
        self._builder: threading.Thread | None = None  # the background build, if one runs
        self._builder_lock = threading.Lock()
        self._snapshot: Snapshot | None = None  # replaced whole, never changed in place
        multilingual = multilingual or embedder or MultilingualEmbedder(  # (a test's: its own)
            settings.model_concurrency, settings.learnt("models"))
        self.multilingual_index = VectorCache(multilingual, settings.learnt("vectors"))  # corpus's
        self.vectors = MessageVectors(self.embedder, multilingual)  # a visitor's: not kept
        self.screener = Screener(
            self.embedder, multilingual,
            Thresholds(settings.urgent_threshold, settings.concern_threshold,
                       settings.medical_threshold, settings.scope_threshold),
            settings.learnt("safety"), settings.corpus_dir, span=settings.max_question_chars)
        self.langs = Voices(settings, self.screener, multilingual, self.multilingual_index)
        self.voice, self.over_limit = self.langs.voice["en"], self.langs.over_limit["en"]
        self.gaps = GapLog(settings.data_dir / "gaps.sqlite3") if settings.record_gaps else None
        self.history = History(settings.data_dir / "conversations.sqlite3",
                               settings.retention_days) if settings.store_conversations else None

    # -- the index ---------------------------------------------------------------------------
    @property
    def corpus(self) -> Corpus | None:
        return self._snapshot.corpus if self._snapshot else None

    @property
    def report(self) -> IndexReport | None:
        return self._snapshot.report if self._snapshot else None

    def prepare(
        self, force: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> IndexReport:
        """Load the corpus and make sure the index matches it; rebuild when it does not. A bot
        that is already answering keeps answering from its current index until this is done."""
        self._ready_screen()  # the safety screen needs the models only, not the index
        with self._lock:
            snapshot = load_snapshot(self.settings, self.store, self.index_embedder.name, force,
                                     progress, self.multilingual_index)
            self._snapshot = snapshot
            self.langs.ready(snapshot.corpus)  # the detector, the corpus's multilingual vectors
            if self.history is not None:
                purged = self.history.purge()
                log.info("Stored conversations are on: kept %d days, %d older purged",
                         self.settings.retention_days, purged)
            feedback = FeedbackStore(self.settings.data_dir / "feedback.sqlite3")
            if blanked := feedback.purge_questions(self.settings.retention_days):
                log.info("Questions kept with %d older ratings deleted", blanked)
            if self.settings.booking_is_placeholder:
                log.warning("booking_url is still the placeholder %s: set it in kapbot.toml or "
                            "KAPBOT_BOOKING_URL before going live", self.settings.booking_url)
            return snapshot.report

    @property
    def state(self) -> str:
        """``ok`` (an index answers), ``starting`` (one is being built) or ``unavailable``."""
        if self._snapshot is not None:
            return "ok"
        builder = self._builder
        return "starting" if builder is not None and builder.is_alive() else "unavailable"

    def prepare_in_background(self) -> threading.Thread:
        """Start ``prepare`` on a background thread, unless one is running: never on a
        visitor's request thread (it may build the index and load torch). The build thread."""
        with self._builder_lock:
            if self._builder is None or not self._builder.is_alive():
                self._builder = threading.Thread(target=self._prepare_logged,
                                                 name="kapbot-index", daemon=True)
                self._builder.start()
            return self._builder

    def _prepare_logged(self) -> None:
        try:
            report = self.prepare()
            log.info("Index ready in the background: %s", "rebuilt (" + report.reason + ")"
                     if report.rebuilt else "it was current")
        except KapbotError as exc:
            log.error("Could not prepare the index in the background: %s", exc)
        except Exception:
            log.exception("Could not prepare the index in the background")

    # -- answering ---------------------------------------------------------------------------
    def retrieve(
        self, question: str, use_bank: bool | None = None, vector: list[float] | None = None,
        multilingual: list[float] | None = None,
    ) -> tuple[Ranking, list[float], Snapshot]:
        """Rank sections for ``question``; also returns the question's embedding and the index
        snapshot that answered (one per answer, even while a new one is swapped in). With no
        index loaded yet, starts building one in the background and raises ``IndexNotReady``.
        ``vector``, ``multilingual``: the question's vectors, when the caller has them."""
        snap = self._snapshot
        if snap is None:
            self.prepare_in_background()
            raise IndexNotReady("No index is loaded yet: it is being built in the background")
        bank = self.settings.use_bank if use_bank is None else use_bank
        if vector is None:
            vector = self.embedder.embed([question])[0]
        if multilingual is None and bank and snap.multilingual_ranker is not None:
            multilingual = self.vectors.multilingual_vector(question)
        return self.search.rank(snap, question, vector, bank, multilingual), vector, snap

    def ask(
        self, message: object, use_bank: bool | None = None, after_crisis: bool = False,
        history: object = (), language: str | None = None) -> Answer:
        """Answer one visitor message. Never raises: every failure becomes a kind reply.
        ``after_crisis``: the conversation had a crisis reply, so the resources stay in view.
        ``history``: the visitor's earlier messages, oldest first (``kapbot.followup``)."""
        started, limit = time.perf_counter(), self.settings.max_question_chars
        cleaned = clean_question(message, limit)  # once: for its language and its answer
        answer = self._ask(message, use_bank, followup.clean_history(history, limit),
                           self.langs.of(message, language, cleaned), cleaned)
        if after_crisis:
            answer = compose.with_reminder(answer, wording.CRISIS_REMINDER)
        try:
            if self.history is not None:
                self.history.record(answer)
            if self.gaps is not None and is_gap(answer):
                self.gaps.record("no_answer", answer.topic, answer.topic_section)
        except Exception:
            log.exception("Could not record the conversation or the gap")
        answers_log.info("answered kind=%s sources=%d ms=%.0f reason=%s", answer.kind,
                         len(answer.sources), (time.perf_counter() - started) * 1000,
                         answer.reason.split(":")[0])
        return answer

    def _ask(self, message: object, use_bank: bool | None, history: tuple[str, ...],
             lang: str, cleaned: CleanQuestion) -> Answer:
        voice, limit = self.langs.voice[lang], self.settings.max_question_chars
        raw = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        question = cleaned.text or smalltalk.symbols_only(raw, limit)  # emoji alone: as written
        talk = smalltalk.read(question)  # a greeting, thanks, "ok", emoji: read after the screen
        if cleaned.problem in ("empty", "too_long", "not_text") and not talk:
            answer = compose.fixed(question, "invalid", wording.invalid(
                cleaned.problem, limit, lang), voice, cleaned.problem)
            if cleaned.problem != "too_long" or not isinstance(raw, str):
                return answer
            verdict = self.screener.check(raw)  # its first and last max_question_chars
            return self._tiered(answer if verdict.tier is not Tier.URGENT else
                                self.langs.crisis(question, verdict, voice), verdict)
        vectors = self.vectors.both(question)
        verdict = self.screener.check(question, *vectors)
        reading = followup.read(question, history)
        if reading.is_follow_up:  # screened in context too: the graver verdict stands
            vectors = self.vectors.both(reading.text)
            in_context = self.screener.check(reading.text, *vectors)
            if GRAVITY[in_context.tier] > GRAVITY[verdict.tier]:
                verdict = in_context
        first: Answer | None = None  # the classifier's urgent: the practice's own question?
        if verdict.tier is Tier.URGENT and not verdict.by_rule and not talk:
            first = self._answer(reading.text, cleaned.problem, verdict, vectors, use_bank, voice)
            verdict = ownquestion.lowered(verdict, question, ownquestion.of_answer(first, question))
        if verdict.tier is Tier.URGENT:
            return self._tiered(self.langs.crisis(question, verdict, voice), verdict)
        if talk:
            return self._tiered(smalltalk.reply(question, talk, voice, self.settings), verdict)
        answer = first or self._answer(reading.text, cleaned.problem, verdict, vectors, use_bank,
                                       voice, reply.alternatives(question, reading, history))
        if verdict.tier is Tier.CONCERN and not asked.worth_quoting(question, answer):
            return self._tiered(compose.fixed(question, "no_answer", wording.CONCERN_NOTHING_ASKED,
                                              voice, "concern: nothing asked"), verdict)
        return self._tiered(dataclasses.replace(answer, question=question), verdict)

    def _tiered(self, answer: Answer, verdict: SafetyVerdict) -> Answer:
        detail = f"{verdict.tier.value}: {verdict.decided_by}; " + ", ".join(
            f"{k} {v:.2f}" for k, v in verdict.probabilities.items())
        answer = dataclasses.replace(answer, crisis_probability=round(verdict.crisis, 4),
                                     safety_detail=detail)
        if verdict.tier is Tier.CONCERN:
            return compose.with_resources(answer, wording.CONCERN)
        return answer

    def _answer(self, question: str, problem: str, verdict: SafetyVerdict,
                vectors: tuple[Vector, Vector], use_bank: bool | None, voice: compose.Voice,
                parts: tuple[followup.Reading, ...] = ()) -> Answer:  # reply.alternatives
        if verdict.label is Label.SCOPE:
            return compose.fixed(question, "no_answer", wording.SCOPE, voice, verdict.decided_by)
        medical = verdict.label is Label.MEDICAL
        sure = verdict.probabilities.get("medical", 1.0) >= self.settings.medical_sure_threshold
        if medical and sure:
            return compose.fixed(question, "medical", wording.MEDICAL, voice, verdict.decided_by)
        if problem == "not_english":
            return compose.fixed(question, "no_answer", wording.NOT_ENGLISH, voice, "not_english")
        try:
            # kapbot.language.crosslingual
            if voice.lang != "en" and (snap := self._snapshot) is not None:
                return self.langs.across.answer(
                    snap.corpus, question, voice, medical, snap.multilingual_ranker,
                    self.settings.answer_threshold, vectors[1],
                    self.search.button_questions(snap, self.settings.use_bank if use_bank is None
                                                 else use_bank, voice.lang))
            known = {question: vectors[1]}  # the multilingual vector of the text the screen read
            ranking, vector, snap, decision, question = reply.best_reading(
                lambda text, v: self.retrieve(text, use_bank, v, known.get(text)),
                self.vectors.minilm, question, vectors[0], parts, self.settings.answer_threshold)
            if medical and (not decision.answer or ranking.top is None):  # nothing to quote
                return compose.fixed(question, "medical", wording.MEDICAL, voice,
                                     verdict.decided_by)
            return reply.from_ranking(self.search, snap, question, vector, ranking, decision,
                                      voice, self.settings.max_quote_words, medical,
                                      self.settings.use_bank if use_bank is None else use_bank)
        except IndexNotReady:
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "starting")
        except IndexDamaged as exc:  # moved aside and rebuilt in the background
            log.error("%s", exc)
            self._snapshot = None
            self.prepare_in_background()
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "damaged")
        except StoreUnavailable as exc:
            log.error("The index is unavailable: %s", exc)
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "unavailable")
        except Exception:  # a visitor never sees a traceback, whatever broke
            log.exception("Could not answer")
            return compose.fixed(question, "no_answer", wording.UNAVAILABLE, voice, "error")

    # -- replies for a visitor over a limit (``kapbot.safety.overlimit``) ---------------------
    def is_urgent(self, message: object, semantic: bool = True) -> bool:
        """Whether ``message`` gets the crisis reply over a limit, without making the reply."""
        return self.over_limit.is_urgent(message, full=semantic)

    def limited_crisis(self, message: object, visitor: str = "") -> Answer | None:
        return self.over_limit.crisis_for(message, visitor)

    def limited(self, message: object, visitor: str = "", language: str | None = None) -> Answer:
        """The reply for a visitor over the rate limit: crisis replies are never withheld."""
        return self.langs.over_limit[self.langs.of(message, language)].reply(message, visitor)

    def _ready_screen(self) -> None:
        try:
            self.screener.ready()
        except Exception:  # the rules still screen; the next prepare tries again
            log.exception("Could not make the safety classifier ready; the rules still screen")
