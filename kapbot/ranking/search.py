"""Searching one index snapshot for a question: dense hits from the Chroma store, lexical BM25
from memory and the trained rankers' probabilities (the MiniLM one, and the multilingual one when
the snapshot has it and the question's multilingual vector is given) and the adapted question's
nearest passages and sentences (``kapbot.ranking.adapter``), fused by
``kapbot.ranking.fusion``, with the calibrated probability that the first section answers; and
the per-sentence scores of the section that will be quoted.

A section ranker that learnt no question-bank line but the not-covered examples (a practice's
pages alone, with the starter ``not-covered.md``) learnt its sections from statements
(passages, sentences) and its "not covered" class from questions, so a visitor's question looks
"not covered" by its form alone: it reads the adapted question, which the adapter has carried
towards the statements. On the four development practices' pages, that quoted the right section
for 64 of 120 questions instead of 60 and a wrong one for 16 instead of 21
(``evals/pages_alone_dev.py``; development figures). A ranker that learnt the bank reads the
question as it is (reading it adapted with d1-d4's banks quoted 84 instead of 88, with more
refusals), and so does one without the not-covered examples, whose decision compares the best
sentence with its own sentences' similarity to each other (the article without its bank,
``kapbot eval``'s ``--no-bank`` column: adapted, right section 0.68 → 0.58, refused 0.13 → 0.35).
The pages-alone ranker's own decision learnt the same confusion from the same lines, so there
the probability that the first section answers comes from the shared decision
(``kapbot.ranking.shared_decision``), learnt from other practices' visitors' questions, when one
is shipped; every other ranker keeps its own decision.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from kapbot.index.embeddings import VectorTable
from kapbot.index.snapshot import Snapshot
from kapbot.index.store import Store
from kapbot.language.choice import Lang, cue_counts, reads_as_spanish
from kapbot.lexical import BM25
from kapbot.models import FAQ_HEADING, Section, Unit, UnitType
from kapbot.ranking import query_expansion
from kapbot.ranking.adapter import QuestionAdapter, load_adapter
from kapbot.ranking.fusion import Ranking, Weights, rank
from kapbot.ranking.ranker import NOT_COVERED_CLASS, SectionRanker, UnitTable, features_for
from kapbot.ranking.shared_decision import DecisionInputs, SharedDecision, load_shared_decision

QUOTAS: dict[UnitType, int] = {"question": 40, "passage": 12, "sentence": 40}  # nearest, per type
POOL = 1000  # units asked of Chroma at once, before any per-type query


Probabilities = tuple[dict[str, float], float]  # each section's, and "not covered"'s


def trained_probabilities(ranker: SectionRanker, table: UnitTable, read: list[float]
                          ) -> tuple[Probabilities, Probabilities]:
    """The trained ranker's probabilities for the question read as ``read``: those it is
    ranked on, with the bank's nearest wordings when the ranker learnt bank lines
    (``query_expansion``), and those it is decided on, as asked."""
    if not table.bank_lines:
        as_read = ranker.probabilities(read)
        return as_read, as_read
    return (ranker.probabilities(query_expansion.expand(read, table.questions)),
            ranker.probabilities(read))


class SectionSearch:
    def __init__(self, store: Store, weights: Weights,
                 adapter: QuestionAdapter | None = None,
                 shared_decision: SharedDecision | None = None) -> None:
        self.store = store
        self.weights = weights
        self.adapter = adapter
        self.shared_decision = shared_decision

    @classmethod
    def shipped(cls, store: Store, weights: Weights) -> SectionSearch:
        """A search with what ships learnt in the package: the question adapter and the shared
        answer decision (each left out when its file is missing)."""
        return cls(store, weights, load_adapter(), load_shared_decision())

    def rank(self, snap: Snapshot, question: str, vector: list[float], use_bank: bool,
             multilingual: list[float] | None = None) -> Ranking:
        """Sections ranked for ``question`` (whose embedding is ``vector``, and whose
        multilingual one is ``multilingual``: read by the snapshot's multilingual ranker, which
        learnt the question bank too, so not for a ranking without the bank)."""
        hits = self.dense_hits(snap, vector)
        lexical: dict[str, float] = {}
        for i, score in snap.bm25.sparse(question).items():
            section_id = snap.text_units[i].section_id
            if score > lexical.get(section_id, 0.0):
                lexical[section_id] = score
        question_lexical = {
            snap.question_ids[i]: score for i, score in snap.question_bm25.sparse(question).items()
        }
        query = self.adapted_query(vector)
        adapted = self.adapted_scores(snap, query)
        trained = snap.rankers.get(use_bank)
        if trained is None:
            return rank(hits, lexical, snap.sections, self.weights, use_bank, question_lexical,
                        adapted=adapted)
        ranker, table = trained
        # a ranker that learnt the not-covered examples and no bank line (a practice's pages
        # alone) learnt its sections from statements and "not covered" from questions: it reads
        # the adapted question, and the shared decision decides (see the module's docstring;
        # without the bank, it learnt no not-covered example either)
        pages_alone = (query is not None and NOT_COVERED_CLASS in ranker.classes
                       and not snap.bank_lines)
        read = query if query is not None and pages_alone else vector
        (probabilities, _), decided = trained_probabilities(ranker, table, read)
        second = None
        if use_bank and multilingual is not None and snap.multilingual_ranker is not None:
            second = snap.multilingual_ranker[0].probabilities(multilingual)[0]
        ranking = rank(hits, lexical, snap.sections, self.weights, use_bank, question_lexical,
                       probabilities, second, adapted)
        top = ranking.top
        if top is None:
            return ranking
        ranking = dataclasses.replace(ranking, not_covered_probability=round(decided[1], 4))
        if pages_alone and self.shared_decision is not None:
            sure = self.shared_decision.probability(DecisionInputs.of(ranking))
        else:
            sure = ranker.answer_probability(features_for(ranker, table, read, top.section.id,
                                                          decided))
        return dataclasses.replace(ranking, answer_probability=round(sure, 4))

    def adapted_query(self, vector: list[float]) -> list[float] | None:
        """The question's vector through the adapter; None without one that fits it."""
        return self.adapter.adapt(vector) if self.adapter and self.adapter.fits(vector) else None

    def adapted_scores(self, snap: Snapshot, query: list[float] | None
                       ) -> dict[str, float] | None:
        """Each section's best similarity between the adapted question ``query`` and its
        passages and sentences (the nearest ``QUOTAS`` of each, in memory); None without an
        adapted question, or while the snapshot's vectors could not be read."""
        if query is None or snap.nearest is None:
            return None
        best: dict[str, float] = {}
        for unit_type in ("passage", "sentence"):
            for uid, sim in snap.nearest.nearest(query, unit_type, QUOTAS[unit_type]):
                section_id = snap.units[uid].section_id
                best[section_id] = max(best.get(section_id, 0.0), sim)
        return best

    def dense_hits(self, snap: Snapshot, vector: list[float]) -> list[tuple[Unit, float]]:
        """The nearest units of each type (``QUOTAS``): searched exactly in memory when the
        snapshot holds the vectors, else asked of Chroma (one unfiltered query over a pool
        usually holds them all; a type that falls short of its quota there is asked for on its
        own, so the result is the same as one filtered query per type, at a third of the cost)."""
        if snap.nearest is not None:
            return [(snap.units[uid], sim) for unit_type, quota in QUOTAS.items()
                    for uid, sim in snap.nearest.nearest(vector, unit_type, quota)]
        pool = self.store.nearest(vector, min(POOL, len(snap.units)), version=snap.fingerprint)
        found: dict[str, list[tuple[str, float]]] = {t: [] for t in QUOTAS}
        for uid, sim in pool:
            unit = snap.units.get(uid)
            if unit is not None:
                found[unit.type].append((uid, sim))
        hits: list[tuple[Unit, float]] = []
        for unit_type, quota in QUOTAS.items():
            have = found[unit_type]
            if len(have) < min(quota, snap.counts.get(unit_type, 0)):
                have = self.store.nearest(vector, quota, unit_type, version=snap.fingerprint)
            hits += [(snap.units[uid], sim) for uid, sim in have[:quota] if uid in snap.units]
        return hits

    def sentence_scores(
        self, snap: Snapshot, question: str, vector: list[float], section: Section,
        sentences: list[str],
    ) -> list[float]:
        """Dense similarity of each sentence of ``section`` to the question (its stored vector,
        read from the index once per section), plus BM25."""
        stored = snap.sentence_vectors.get(section.id)
        if stored is None:
            units = {u.id: u for u in snap.units.values()
                     if u.type == "sentence" and u.section_id == section.id}
            if snap.nearest is not None:
                ids, table = snap.nearest.table(list(units))
            else:
                vectors = self.store.vectors(list(units), version=snap.fingerprint)
                ids = [i for i in units if i in vectors]
                table = VectorTable([vectors[i] for i in ids])
            stored = ([units[i].position for i in ids], table)
            snap.sentence_vectors[section.id] = stored
        positions, table = stored
        dense = dict(zip(positions, table.similarities(vector), strict=True))
        lexical = BM25(sentences, ignore=snap.ignored_words).scores(question) if sentences else []
        return [dense.get(i + 1, 0.0) + 0.5 * lexical[i] for i in range(len(sentences))]

    def clearest_question(self, snap: Snapshot, section_id: str, use_bank: bool,
                          lang: str = "en") -> str:
        """What a "did you mean" button asks for a section: its FAQ heading when the ranker puts
        that in the section, else its question the ranker most surely puts there, preferring
        one without Spanish words (a bank holds Spanglish lines; the buttons of an English
        reply are English). For a Spanish reply (``lang`` "es"), only a Spanish bank line
        (``spanish_button``), so that the button keeps the conversation in Spanish; "" when
        the section has none. Found once per snapshot, section and language (2.6 ms each,
        under two thirds of answers show buttons; benchmarks/results.md)."""
        key = (section_id, use_bank, lang)
        known = snap.button_questions.get(key)
        if known is None:
            known = snap.button_questions[key] = self._clearest_question(
                snap, section_id, use_bank, lang)
        return known

    def button_questions(self, snap: Snapshot, use_bank: bool, lang: str
                         ) -> Callable[[str], str]:
        """``clearest_question`` for any section id of ``snap``, in ``lang``."""
        return lambda section_id: self.clearest_question(snap, section_id, use_bank, lang)

    def _clearest_question(self, snap: Snapshot, section_id: str, use_bank: bool,
                           lang: str = "en") -> str:
        # a Spanish line is in the multilingual ranker's table alone (kapbot.index.snapshot)
        trained = (snap.multilingual_ranker if lang != "en" and snap.multilingual_ranker
                   else snap.rankers.get(use_bank))
        if trained is None:
            return ""
        ranker, table = trained
        rows = [row for row in table.rows_of(section_id).tolist()  # its own questions
                if (unit := snap.units.get(table.ids[row])) is not None and unit.type == "question"]
        if not rows:
            return ""
        probabilities, _ = ranker.section_probabilities(table.matrix[rows])  # one call for all
        column = ranker.sections.index(section_id) if section_id in ranker.sections else -1
        english = lang == "en"
        scored: list[tuple[bool, bool, bool, float, str]] = []
        for row, mine in zip(rows, probabilities, strict=True):
            unit = snap.units[table.ids[row]]
            own = len(mine) > 0 and ranker.sections[int(mine.argmax())] == section_id
            if english and unit.origin == FAQ_HEADING and own:
                return unit.text
            if english or spanish_button(unit.text):  # a Spanish button: Spanish lines alone
                scored.append((own,  # English: no Spanish words; Spanish: accents, "¿"
                               cue_counts(unit.text)[Lang.ES] < 2 if english
                               else bool(_WRITTEN.search(unit.text)),
                               reads_as_a_question(unit.text),
                               float(mine[column]) if column >= 0 else 0.0, unit.text))
        if not scored:
            return ""
        best = max(scored)[4]
        return tidy_question(best) if english else tidy_spanish_question(best)


_STORY = {"i", "i'm", "im", "i've", "my", "me", "we", "our",  # how a visitor's own story starts
          "yo", "mi", "mis", "tengo", "estoy", "ando", "fui", "tuve", "soy"}


def reads_as_a_question(line: str) -> bool:
    """A bank line that reads well on a button: a question of 3 to 12 words that does not
    start by telling the visitor's own story ("My trip was …, is that normal?")."""
    words = line.split()
    story = words[0].lower().strip("¿¡,.") in _STORY if words else True
    return line.rstrip().endswith("?") and 3 <= len(words) <= 12 and not story


_WRITTEN = re.compile("[áéíóúñ¿]")


def spanish_button(line: str) -> bool:
    """A bank line a Spanish reply's button can ask: one question that reads well on a button,
    in Spanish with no English function word (not Spanglish, so the chat stays in Spanish)."""
    return reads_as_spanish(line) and reads_as_a_question(line) and line.count("?") == 1


def tidy_spanish_question(line: str) -> str:
    """A Spanish bank line as a button says it: its first letter capital, and "¿" first unless
    the question opens later ("Con terapia, ¿duran más?")."""
    text = " ".join(line.split())
    opens = "¿" if "¿" not in text or text.startswith("¿") else ""
    text = text.removeprefix("¿")
    return opens + text[:1].upper() + text[1:]


def tidy_question(line: str) -> str:
    """A bank line as a button says it: first letter capital, "i" as "I", a question mark."""
    text = " ".join(line.split())
    text = " ".join("I" + w[1:] if w.lower() in {"i", "i'm", "i've", "i'd", "i'll"} else w
                    for w in text.split())
    text = text[:1].upper() + text[1:]
    asks = text.split()[0].lower() in _ASKING if text else False
    return text.rstrip(".!") + "?" if asks and not text.endswith("?") else text


_ASKING = {"how", "what", "when", "where", "why", "who", "which", "can", "do", "does", "is", "are",
           "will", "should", "could", "would", "am", "may", "did", "have", "has"}
