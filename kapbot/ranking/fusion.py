"""Fusing retrieval signals into a ranking of sections. Pure.

For each section, these signals on an absolute 0..1 scale:
  q  best cosine similarity between the question and the section's question bank, plus a
     little of their BM25 word match: MiniLM separates paraphrased questions well, and the
     words catch what it blurs ("cost" against "long"). An FAQ entry's own heading is not one
     of them (it reaches the section through its passages and the rankers): on pages without
     banks only the FAQ entries had a ``q``, and a question matched against a question scores
     higher than against a statement, so FAQ entries beat the body sections that answer
     (development: the right section first for 116 → 120 of 155 questions on three practices'
     pages alone; the banked dev sets unchanged, `evals/pages_alone_dev.py`,
     `evals/answers_dev.py`);
  p  best cosine similarity to one of its passages (embedded with their heading path);
  s  best cosine similarity to one of its sentences;
  l  best BM25 score (squashed to 0..1) of its passages and sentences;
  r  the trained section ranker's probability (``kapbot.ranking.ranker``);
  m  when there is one, the probability of the same kind of ranker trained on the multilingual
     vectors (USE v3) of the same lines: a second model of the same question, whose errors
     are not all MiniLM's;
  a  when the question adapter is loaded, the best cosine similarity between the adapted
     question (``kapbot.ranking.adapter``) and one of the section's passages or sentences.
The fused score is the weighted mean of the first four (without ``q`` for a section that has no
questions) plus the rankers' term: ``r``, or with ``m`` the blend ``(1 - w)·r + w·m``
(``Weights.multilingual``), plus ``Weights.adapted``·``a``. Whether the first section is quoted
is ``kapbot.ranking.decide``'s call.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.models import FAQ_HEADING, RankedSection, Section, Unit

# the adapter's weight: on the four development practices' pages without banks
# (evals/pages_alone_dev.py), the right section first for 65 of 120 questions at 0, 78 at 1, 84
# at 2, 87 at 3 and 5, quoted for 52, 59, 60, 60, 62; with their banks, first 103, 101, 102,
# 103, 100 and quoted 89, 88, 88, 89, 87 (2 fewer wrong sections at 2); 2 keeps the banked
# figures and most of the gain (measured with the map's first training, before the bank lines
# near a sealed set were left out, and before the ranker read the adapted question)
ADAPTED = 2.0


@dataclass(frozen=True)
class Weights:
    question: float = 1.0
    passage: float = 0.0
    sentence: float = 0.4
    lexical: float = 0.2
    question_lexical: float = 0.2  # BM25 over the questions, added to each question's cosine
    # the multilingual ranker's share of the rankers' term: 0.5 quoted the right section for 5
    # more of 244 development questions (evals/answers-dev.md); 1.0 (added to r) for 4, with 2
    # fewer answered or offered and 1 fewer follow-up answered
    multilingual: float = 0.5
    adapted: float = ADAPTED

    def rankers(self, r: float, m: float | None) -> float:
        """The rankers' term: ``r`` alone, or blended with the multilingual ranker's ``m``."""
        return r if m is None else (1 - self.multilingual) * r + self.multilingual * m

    def fuse(self, q: float | None, p: float, s: float, lx: float) -> float:
        """Weighted mean; a section with no questions to match (``q`` None) is not penalised."""
        wq = 0.0 if q is None else self.question
        total = wq + self.passage + self.sentence + self.lexical
        weighted = wq * (q or 0.0) + self.passage * p + self.sentence * s + self.lexical * lx
        return weighted / total if total else 0.0


@dataclass(frozen=True)
class Ranking:
    sections: tuple[RankedSection, ...]  # best first
    not_covered: float = 0.0  # best similarity to a "not covered" example question
    not_covered_example: str = ""  # the example nearest by cosine alone (``not_covered_cosine``)
    # the closest question the corpus knows (bank, FAQ heading or not-covered example): how
    # unanswered questions are grouped for the gaps report, without keeping visitors' words
    nearest_question: str = ""
    nearest_section: str = ""
    nearest_similarity: float = 0.0

    not_covered_probability: float = 0.0  # the ranker's, for a not-covered question
    answer_probability: float = 0.0  # the calibrated decision's, for the first section
    adapted_weight: float = 0.0  # the weight of the sections' ``a`` in their scores
    not_covered_cosine: float = 0.0  # the nearest example's cosine, no word match added

    def closeness(self, section: RankedSection) -> float:
        """A section's score without its adapter term: "did you mean" compares these, so the
        term every section shares does not crowd the offers."""
        return section.score - self.adapted_weight * section.signals.get("a", 0.0)

    @property
    def top(self) -> RankedSection | None:
        return self.sections[0] if self.sections else None


WORD_ONLY_SECTIONS = 10


def rank(
    hits: Sequence[tuple[Unit, float]],
    lexical: Mapping[str, float],
    sections: Mapping[str, Section],
    weights: Weights = Weights(),
    use_bank: bool = True,
    question_lexical: Mapping[str, float] | None = None,
    ranker: Mapping[str, float] | None = None,
    multilingual: Mapping[str, float] | None = None,
    adapted: Mapping[str, float] | None = None,
) -> Ranking:
    """Rank sections from dense ``hits`` (unit, similarity), per-section lexical scores,
    per-question lexical scores (by unit id), which strengthen a question match, the
    trained rankers' probabilities per section (``ranker``; ``multilingual``, when given) and
    the adapted question's best similarity per section (``adapted``, when given)."""
    best: dict[str, dict[str, float]] = {}
    not_covered, example, cosine = 0.0, "", 0.0
    question_lexical = question_lexical or {}
    nearest: tuple[float, str, str] = (0.0, "", "")
    for unit, sim in hits:
        raw = sim
        if unit.type == "question":
            if sim > nearest[0]:
                nearest = (sim, unit.text, unit.section_id)
            sim += weights.question_lexical * question_lexical.get(unit.id, 0.0)
        if unit.origin == NOT_COVERED:
            if use_bank:  # the decision's input reads the word match too; a near-copy, not
                not_covered = max(not_covered, sim)
                if raw > cosine:
                    example, cosine = unit.text, raw
            continue
        if unit.section_id not in sections:
            continue
        if unit.origin == "bank" and not use_bank:
            continue
        if unit.origin == FAQ_HEADING:  # see the module's docstring: the ranker learns it
            continue
        key = {"question": "q", "passage": "p", "sentence": "s"}[unit.type]
        signals = best.setdefault(unit.section_id, {})
        signals[key] = max(signals.get(key, 0.0), sim)
    # a section found by word matching alone cannot reach the threshold (it has no question or
    # sentence match): only the best few are ranked, so a large corpus costs no more
    word_only = sorted((sid for sid, score in lexical.items()
                        if sid not in best and sid in sections and score > 0),
                       key=lambda sid: (-lexical[sid], sid))[:WORD_ONLY_SECTIONS]
    for section_id in [sid for sid in best if lexical.get(sid, 0.0) > 0] + word_only:
        best.setdefault(section_id, {})["l"] = lexical[section_id]
    for section_id in adapted or {}:
        if section_id in sections:
            best.setdefault(section_id, {})
    ranker = ranker or {}
    for probabilities in (ranker, multilingual or {}):
        for section_id in heapq.nsmallest(WORD_ONLY_SECTIONS, probabilities,
                                          key=lambda sid: (-probabilities[sid], sid)):
            if section_id in sections:
                best.setdefault(section_id, {})
    ranked = []
    for section_id, sig in best.items():
        full = {k: round(max(0.0, sig.get(k, 0.0)), 4) for k in ("q", "p", "s", "l")}
        full["r"] = round(ranker.get(section_id, 0.0), 4)
        if multilingual is not None:
            full["m"] = round(multilingual.get(section_id, 0.0), 4)
        if adapted is not None:
            full["a"] = round(max(0.0, adapted.get(section_id, 0.0)), 4)
        q = full["q"] if "q" in sig else None
        score = (weights.fuse(q, full["p"], full["s"], full["l"])
                 + weights.rankers(full["r"], full.get("m"))
                 + weights.adapted * full.get("a", 0.0))
        ranked.append(RankedSection(sections[section_id], round(score, 4), full))
    ranked.sort(key=lambda p: (-p.score, p.section.id))
    return Ranking(tuple(ranked), round(not_covered, 4), example, nearest[1], nearest[2],
                   round(nearest[0], 4), adapted_weight=weights.adapted if adapted else 0.0,
                   not_covered_cosine=round(cosine, 4))
