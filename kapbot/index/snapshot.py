"""What one version of the index serves, loaded together: the corpus, its sections, the
in-memory word indexes (BM25) and the fingerprint of the Chroma collection that matches them.

A ``Snapshot`` is immutable. ``load_snapshot`` builds the next one (rebuilding the Chroma
collection when the corpus, the index settings or the model changed) while the current one keeps
answering; the bot then swaps it in with one assignment, so a content update never interrupts a
visitor and no answer mixes two versions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kapbot import npzfile
from kapbot.corpus.chunking import chunk_sections
from kapbot.corpus.reader import Corpus, load_corpus
from kapbot.errors import IndexDamaged, KapbotError
from kapbot.index.embeddings import Embedder, VectorTable
from kapbot.index.splitcache import SplitCache
from kapbot.index.store import Store
from kapbot.language.choice import parse_languages, reads_as_spanish
from kapbot.lexical import BM25
from kapbot.models import Section, Unit
from kapbot.ranking import ranker as section_ranker
from kapbot.ranking.nearest import NearestUnits
from kapbot.ranking.ranker import SectionRanker, UnitTable
from kapbot.settings import Settings
from kapbot.text import words

log = logging.getLogger("kapbot")


@dataclass(frozen=True)
class IndexReport:
    fingerprint: str
    units: int
    sections: int
    documents: int
    rebuilt: bool
    reason: str  # why it was rebuilt, or "" when it was current
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    corpus: Corpus
    sections: dict[str, Section]
    text_units: tuple[Unit, ...]
    bm25: BM25  # over the text units' quotes
    question_ids: tuple[str, ...]
    question_bm25: BM25  # over the question units
    report: IndexReport
    units: dict[str, Unit] = field(default_factory=dict)  # every unit of this version, by id
    counts: dict[str, int] = field(default_factory=dict)  # units per type
    bank_lines: int = 0  # question-bank lines among the units (0: the pages alone)
    # the trained section ranker and the vectors its decision reads, with and without the bank
    rankers: dict[bool, tuple[SectionRanker, UnitTable]] = field(default_factory=dict,
                                                                 compare=False)
    # section id -> (sentence positions, their stored vectors), read once per section
    sentence_vectors: dict[str, tuple[list[int], VectorTable]] = field(
        default_factory=dict, compare=False
    )
    # (section id, with the bank, language) -> what its "did you mean" button asks, found once
    button_questions: dict[tuple[str, bool, str], str] = field(default_factory=dict, compare=False)
    # every unit's vector, searched exactly in memory (None: the store could not be read, and
    # Chroma is asked instead)
    nearest: NearestUnits | None = field(default=None, compare=False)
    # the ranker over the units' multilingual vectors (with the bank): its calibrated decision
    # says whether a question in another language is covered (``kapbot.language.crosslingual``)
    multilingual_ranker: tuple[SectionRanker, UnitTable] | None = field(default=None,
                                                                      compare=False)

    @property
    def ignored_words(self) -> frozenset[str]:
        return self.bm25.ignore

    @property
    def fingerprint(self) -> str:
        return self.report.fingerprint


def _rebuild(store: Store, units: list[Unit], fingerprint: str, why: str,
             progress: Callable[[int, int], None] | None) -> None:
    why = f"the index was damaged ({store.recovered})" if store.recovered else why
    log.warning("Rebuilding the index at %s: %s", store.where, why)
    store.rebuild(units, fingerprint, progress)


def stored_vectors(store: Store, units: list[Unit], fingerprint: str
                   ) -> dict[str, list[float]] | None:
    """Every unit's vector of this index version, read from Chroma once; None (logged) while
    the store cannot be read."""
    try:
        return store.vectors([u.id for u in units], version=fingerprint)
    except KapbotError as exc:
        log.error("Could not read the index's vectors: %s", exc)
        return None


def _ranker(settings: Settings, units: list[Unit], vectors: dict[str, list[float]], key: str,
            use_bank: bool, table: UnitTable,
            same: Callable[[], SectionRanker | None] = lambda: None) -> SectionRanker:
    """The ranker saved under ``key`` in the cache folder, else ``same()`` (a ranker trained on
    the same lines, asked for only when none is saved) or a new one, saved there."""
    path = settings.learnt("ranking") / f"ranker-{key}.npz"
    ranker = section_ranker.load(path, key)
    if ranker is None and (twin := same()) is not None:
        ranker = dataclasses.replace(twin, fingerprint=key)
        section_ranker.save(ranker, path)
    if ranker is not None:
        return ranker

    def train() -> SectionRanker:
        log.info("Training the section ranker (%s)", key.split("-", 1)[1])
        trained = section_ranker.train(units, vectors, use_bank, key, table=table)
        section_ranker.save(trained, path)
        return trained

    return npzfile.made_once(path.parent, "ranker-training",
                             lambda: section_ranker.load(path, key), train)


def _if_same_lines(units: list[Unit], with_bank: SectionRanker) -> SectionRanker | None:
    """The ranker trained with the bank, when the lines without it are the same lines."""
    same = section_ranker.training_lines(units, False) == section_ranker.training_lines(units, True)
    return with_bank if same else None


def load_rankers(settings: Settings, units: list[Unit], vectors: dict[str, list[float]] | None,
                 fingerprint: str) -> dict[bool, tuple[SectionRanker, UnitTable]]:
    """The section rankers of this index version (with and without the bank): loaded from the
    cache folder when trained on this version already, else trained and saved there. None (the
    fused signals alone rank, and nothing is answered) while the store cannot be read."""
    if vectors is None:
        return {}
    out: dict[bool, tuple[SectionRanker, UnitTable]] = {}
    for use_bank in (True, False):
        key = f"{fingerprint}-v{section_ranker.VERSION}-{'bank' if use_bank else 'nobank'}"
        table = UnitTable.build(units, vectors, use_bank)
        same = (lambda: None) if use_bank else (lambda: _if_same_lines(units, out[True][0]))
        out[use_bank] = (_ranker(settings, units, vectors, key, use_bank, table, same), table)
    return out


def load_multilingual_ranker(settings: Settings, units: list[Unit], fingerprint: str,
                             multilingual: Embedder | None
                             ) -> tuple[SectionRanker, UnitTable] | None:
    """The ranker over the units' multilingual vectors, when more than one language is
    configured and a multilingual encoder is given (it remembers the corpus's vectors between
    starts); None otherwise, or when it fails (logged: the other languages' questions are then
    decided by similarity alone)."""
    if multilingual is None or len(parse_languages(settings.languages)) < 2:
        return None
    try:
        kept = sorted(units, key=lambda u: u.id)
        vectors = dict(zip([u.id for u in kept], multilingual.embed([u.text for u in kept]),
                           strict=True))
        model = hashlib.sha256(getattr(multilingual, "name", "").encode()).hexdigest()[:8]
        key = f"{fingerprint}-v{section_ranker.VERSION}-multilingual-{model}-bank"
        table = UnitTable.build(units, vectors, True)
        return _ranker(settings, units, vectors, key, True, table), table
    except Exception:
        log.exception("Could not train the multilingual section ranker")
        return None


def english_units(units: list[Unit]) -> list[Unit]:
    """The units of the English index (the store, the MiniLM ranker, word matching): all but the
    question lines written in Spanish (bank lines, and a Spanish page's FAQ headings or
    not-covered examples), which the multilingual ranker alone reads. In MiniLM's English space
    a Spanish line sits near other Spanish lines rather than near its meaning, so it pulled
    English questions towards wrong sections (docs/bank-sources/README.md)."""
    return [u for u in units if not (u.type == "question" and reads_as_spanish(u.text))]


def load_snapshot(
    settings: Settings,
    store: Store,
    model_name: str,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    multilingual: Embedder | None = None,
) -> Snapshot:
    """Read the corpus and make sure ``store`` holds a matching index version; rebuild it when
    it does not. The store's previously active version keeps answering until this returns. A
    damaged local index (found here or by an earlier read) is moved aside and rebuilt.
    ``multilingual``: the encoder of the ranker for questions in other languages."""
    corpus = load_corpus(settings.corpus_dir)
    splits = SplitCache(settings.learnt("chunks") / "splits.npz")
    every_unit = chunk_sections(corpus.sections, settings.chunk_size, settings.chunk_overlap,
                                splits.split)
    splits.save()
    units = english_units(every_unit)
    fingerprint = corpus.fingerprint(settings.index_fingerprint(), model_name)
    if store.damaged:
        store.recover(store.damaged)
    elif store.active == "":
        store.open()
    try:
        current, why = (False, "a rebuild was asked for") if force else store.is_current(
            fingerprint)
        previous = store.active
        if not current:
            _rebuild(store, units, fingerprint, why, progress)
    except IndexDamaged:  # once: the new, empty index that replaces it is not damaged
        store.recover(store.damaged)
        current, previous, why = False, "", ""
        _rebuild(store, units, fingerprint, why, progress)
    if current:
        store.activate(fingerprint)
    else:
        why = f"the index was damaged ({store.recovered})" if store.recovered else why
        log.info("Index built: %d units from %d sections", len(units), len(corpus.sections))
    store.recovered = ""
    # older versions go; the one this process answered from until now stays until the next
    # change, and so does the newest other one (another process may still be answering from it)
    store.prune({fingerprint, previous} - {""}, spare=1)
    text_units = tuple(u for u in units if u.type != "question")
    questions = [u for u in units if u.type == "question"]
    # the practice's and therapist's names are in many questions and passages, but say nothing
    # about what is asked: word matching ignores them
    names = frozenset(words(f"{settings.therapist_name} {settings.practice_name}"))
    vectors = stored_vectors(store, units, fingerprint)
    report = IndexReport(
        fingerprint, len(units), len(corpus.sections), len(corpus.documents), not current,
        "" if current else why, corpus.problems,
    )
    return Snapshot(
        corpus=corpus,
        sections={s.id: s for s in corpus.sections},
        text_units=text_units,
        bm25=BM25([u.quote for u in text_units], ignore=names),
        question_ids=tuple(u.id for u in questions),
        question_bm25=BM25([u.text for u in questions], ignore=names),
        report=report,
        units={u.id: u for u in every_unit},  # the Spanish bank lines too (their buttons)
        counts=dict(Counter(u.type for u in units)),
        bank_lines=sum(u.origin == "bank" for u in units),
        rankers=load_rankers(settings, units, vectors, fingerprint),
        nearest=None if vectors is None else NearestUnits(units, vectors),
        multilingual_ranker=load_multilingual_ranker(settings, every_unit, fingerprint,
                                                     multilingual),
    )
