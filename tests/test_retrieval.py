from __future__ import annotations

from kapbot.lexical import BM25
from kapbot.markdown import NOT_COVERED
from kapbot.models import Section, Unit
from kapbot.retrieval import Weights, decide, rank

A = Section("d.md#a", "d.md", "Doc", ("Doc", "A"), "Alpha text.")
B = Section("d.md#b", "d.md", "Doc", ("Doc", "B"), "Beta text.")
SECTIONS = {A.id: A, B.id: B}


def unit(section: Section, kind: str, origin: str = "text", n: int = 1) -> Unit:
    return Unit(f"{section.id}-{kind}{n}", kind, section.id, "t", "q", origin, n)  # type: ignore[arg-type]


def test_fused_score_is_weighted_mean_of_signals() -> None:
    hits = [(unit(A, "question", "bank"), 0.9), (unit(A, "sentence"), 0.5),
            (unit(B, "question", "bank"), 0.6), (unit(B, "sentence"), 0.8)]
    ranking = rank(hits, {A.id: 0.2, B.id: 0.1}, SECTIONS, Weights(1.0, 0.0, 0.4, 0.2))
    top, second = ranking.passages
    assert top.section is A
    assert top.score == round((0.9 + 0.4 * 0.5 + 0.2 * 0.2) / 1.6, 4)
    assert top.signals == {"q": 0.9, "p": 0.0, "s": 0.5, "l": 0.2}
    assert second.score == round((0.6 + 0.4 * 0.8 + 0.2 * 0.1) / 1.6, 4)


def test_no_bank_ignores_bank_questions_and_not_covered_examples() -> None:
    hits = [(unit(A, "question", "bank"), 0.95), (unit(A, "sentence"), 0.5),
            (unit(B, "question", "heading"), 0.7), (unit(B, "sentence"), 0.5),
            (Unit("nc.md#intro-q1", "question", "nc.md#intro", "price?", "", NOT_COVERED), 0.99)]
    with_bank = rank(hits, {}, SECTIONS)
    without = rank(hits, {}, SECTIONS, use_bank=False)
    assert with_bank.top is not None and with_bank.top.section is A
    assert with_bank.not_covered == 0.99
    assert without.top is not None and without.top.section is B
    assert without.not_covered == 0.0
    # a section with nothing to match question-to-question is scored on its text alone
    a = next(p for p in without.passages if p.section is A)
    assert a.score == round((0.4 * 0.5) / 0.6, 4)


def test_decide_threshold_and_not_covered() -> None:
    hits = [(unit(A, "question", "bank"), 0.7), (unit(A, "sentence"), 0.7)]
    ranking = rank(hits, {}, SECTIONS)
    assert decide(ranking, 0.5).answer
    assert not decide(ranking, 0.9).answer
    assert "threshold" in decide(ranking, 0.9).reason
    nc = [*hits, (Unit("n#x-q1", "question", "n#x", "fees?", "", NOT_COVERED), 0.8)]
    closer = decide(rank(nc, {}, SECTIONS), 0.5, not_covered_margin=0.02)
    assert not closer.answer and "fees?" in closer.reason
    assert decide(rank(nc, {}, SECTIONS), 0.5, not_covered_margin=0.2).answer
    assert not decide(rank([], {}, SECTIONS), 0.1).answer


def test_bm25_scores_are_bounded_and_rank_matches() -> None:
    bm = BM25(["water the garden deeply", "prune roses in winter", "the club meets saturday"])
    scores = bm.scores("when to prune roses")
    assert max(scores) == scores[1]
    assert all(0.0 <= s < 1.0 for s in scores)
    assert bm.scores("zebra") == [0.0, 0.0, 0.0]
