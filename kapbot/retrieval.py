"""Fusing retrieval signals into a ranking of sections, and deciding whether to answer. Pure.

For each section, four signals on an absolute 0..1 scale:
  q  best cosine similarity between the question and the section's questions (FAQ heading and
     question bank), plus a little of their BM25 word match: MiniLM separates paraphrased
     questions well, and the words catch what it blurs ("cost" against "long");
  p  best cosine similarity to one of its passages (embedded with their heading path);
  s  best cosine similarity to one of its sentences;
  l  best BM25 score (squashed to 0..1) of its passages and sentences.
The fused score is their weighted mean (without ``q`` for a section that has no questions). The
section ranked first is quoted if its score reaches the threshold and the question is not closer
to a "not covered" example than to the section's own questions (those examples are a bank too:
``--no-bank`` ignores them); otherwise the reply is "not covered here". Weights and threshold
are calibrated on ``evals/questions.jsonl`` (see README, "How answers are chosen").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kapbot.markdown import NOT_COVERED
from kapbot.models import Passage, Section, Unit


@dataclass(frozen=True)
class Weights:
    question: float = 1.0
    passage: float = 0.0
    sentence: float = 0.4
    lexical: float = 0.2
    question_lexical: float = 0.2  # BM25 over the questions, added to each question's cosine

    def fuse(self, q: float | None, p: float, s: float, lx: float) -> float:
        """Weighted mean; a section with no questions to match (``q`` None) is not penalised."""
        wq = 0.0 if q is None else self.question
        total = wq + self.passage + self.sentence + self.lexical
        weighted = wq * (q or 0.0) + self.passage * p + self.sentence * s + self.lexical * lx
        return weighted / total if total else 0.0


@dataclass(frozen=True)
class Ranking:
    passages: tuple[Passage, ...]  # best first
    not_covered: float = 0.0  # best similarity to a "not covered" example question
    not_covered_example: str = ""
    # the closest question the corpus knows (bank, FAQ heading or not-covered example): how
    # unanswered questions are grouped for the gaps report, without keeping visitors' words
    nearest_question: str = ""
    nearest_section: str = ""
    nearest_similarity: float = 0.0

    @property
    def top(self) -> Passage | None:
        return self.passages[0] if self.passages else None


WORD_ONLY_SECTIONS = 10


def rank(
    hits: Sequence[tuple[Unit, float]],
    lexical: Mapping[str, float],
    sections: Mapping[str, Section],
    weights: Weights = Weights(),
    use_bank: bool = True,
    question_lexical: Mapping[str, float] | None = None,
) -> Ranking:
    """Rank sections from dense ``hits`` (unit, similarity), per-section lexical scores, and
    per-question lexical scores (by unit id), which strengthen a question match."""
    best: dict[str, dict[str, float]] = {}
    not_covered, example = 0.0, ""
    question_lexical = question_lexical or {}
    nearest: tuple[float, str, str] = (0.0, "", "")
    for unit, sim in hits:
        if unit.type == "question":
            if sim > nearest[0]:
                nearest = (sim, unit.text, unit.section_id)
            sim += weights.question_lexical * question_lexical.get(unit.id, 0.0)
        if unit.origin == NOT_COVERED:
            if use_bank and sim > not_covered:
                not_covered, example = sim, unit.text
            continue
        if unit.section_id not in sections:
            continue
        if unit.origin == "bank" and not use_bank:
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
    passages = []
    for section_id, sig in best.items():
        full = {k: round(max(0.0, sig.get(k, 0.0)), 4) for k in ("q", "p", "s", "l")}
        q = full["q"] if "q" in sig else None
        score = weights.fuse(q, full["p"], full["s"], full["l"])
        passages.append(Passage(sections[section_id], round(score, 4), full))
    passages.sort(key=lambda p: (-p.score, p.section.id))
    return Ranking(tuple(passages), round(not_covered, 4), example, nearest[1], nearest[2],
                   round(nearest[0], 4))


@dataclass(frozen=True)
class Decision:
    answer: bool
    reason: str


# how a "not covered" decision's reason starts: the writing had nothing close enough
NOTHING_RETRIEVED = "nothing retrieved"
BELOW_THRESHOLD = "best score"
CLOSER_TO_NOT_COVERED = "closer to a not-covered example"
NOT_COVERED_REASONS = (NOTHING_RETRIEVED, BELOW_THRESHOLD, CLOSER_TO_NOT_COVERED)


def decide(ranking: Ranking, threshold: float, not_covered_margin: float = 0.0) -> Decision:
    top = ranking.top
    if top is None:
        return Decision(False, NOTHING_RETRIEVED)
    if top.score < threshold:
        return Decision(False, f"{BELOW_THRESHOLD} {top.score:.3f} < threshold {threshold:.3f}")
    if ranking.not_covered > top.signals.get("q", 0.0) + not_covered_margin:
        return Decision(
            False,
            f"{CLOSER_TO_NOT_COVERED} ({ranking.not_covered:.3f} > "
            f"{top.signals.get('q', 0.0):.3f}): {ranking.not_covered_example!r}",
        )
    return Decision(True, f"score {top.score:.3f} >= threshold {threshold:.3f}")
