from __future__ import annotations

import dataclasses

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.lexical import BM25
from kapbot.models import RankedSection, Section, Unit
from kapbot.ranking.decide import Verdict, decide
from kapbot.ranking.fusion import Ranking, Weights, rank

A = Section("d.md#a", "d.md", "Doc", ("Doc", "A"), "Alpha text.")
B = Section("d.md#b", "d.md", "Doc", ("Doc", "B"), "Beta text.")
SECTIONS = {A.id: A, B.id: B}


def unit(section: Section, kind: str, origin: str = "text", n: int = 1) -> Unit:
    return Unit(f"{section.id}-{kind}{n}", kind, section.id, "t", "q", origin, n)  # type: ignore[arg-type]


def test_fused_score_is_weighted_mean_of_signals() -> None:
    hits = [(unit(A, "question", "bank"), 0.9), (unit(A, "sentence"), 0.5),
            (unit(B, "question", "bank"), 0.6), (unit(B, "sentence"), 0.8)]
    ranking = rank(hits, {A.id: 0.2, B.id: 0.1}, SECTIONS, Weights(1.0, 0.0, 0.4, 0.2))
    top, second = ranking.sections
    assert top.section is A
    assert top.score == round((0.9 + 0.4 * 0.5 + 0.2 * 0.2) / 1.6, 4)
    assert top.signals == {"q": 0.9, "p": 0.0, "s": 0.5, "l": 0.2, "r": 0.0}
    assert second.score == round((0.6 + 0.4 * 0.8 + 0.2 * 0.1) / 1.6, 4)


def test_no_bank_ignores_bank_questions_and_not_covered_examples() -> None:
    hits = [(unit(A, "question", "bank"), 0.95), (unit(A, "sentence"), 0.5),
            (unit(B, "sentence"), 0.6),
            (Unit("nc.md#intro-q1", "question", "nc.md#intro", "price?", "", NOT_COVERED), 0.99)]
    with_bank = rank(hits, {}, SECTIONS)
    without = rank(hits, {}, SECTIONS, use_bank=False)
    assert with_bank.top is not None and with_bank.top.section is A
    assert with_bank.not_covered == 0.99
    assert without.top is not None and without.top.section is B
    assert without.not_covered == 0.0
    # a section with nothing to match question-to-question is scored on its text alone
    a = next(p for p in without.sections if p.section is A)
    assert a.score == round((0.4 * 0.5) / 0.6, 4)


def test_an_faq_heading_is_not_a_question_match() -> None:
    """On pages without banks only FAQ entries have questions: their heading would give them a
    question-to-question score that the body sections, matched against statements, can't
    reach. The heading counts for the gaps report's nearest question, not for ``q``."""
    hits = [(unit(A, "question", "heading"), 0.8), (unit(A, "sentence"), 0.4),
            (unit(B, "sentence"), 0.5)]
    ranking = rank(hits, {}, SECTIONS)
    assert ranking.top is not None and ranking.top.section is B
    a = next(p for p in ranking.sections if p.section is A)
    assert a.signals["q"] == 0.0 and a.score == round(0.4 * 0.4 / 0.6, 4)
    assert ranking.nearest_section == A.id and ranking.nearest_similarity == 0.8


def test_ranker_probability_adds_to_the_fused_score() -> None:
    hits = [(unit(A, "sentence"), 0.5), (unit(B, "sentence"), 0.6)]
    ranking = rank(hits, {}, SECTIONS, ranker={A.id: 0.9, B.id: 0.1})
    assert ranking.top is not None and ranking.top.section is A
    assert ranking.top.signals["r"] == 0.9
    assert ranking.top.score == round(0.4 * 0.5 / 0.6 + 0.9, 4)
    # a section only the ranker found is ranked too
    alone = rank([], {}, SECTIONS, ranker={B.id: 0.7})
    assert alone.top is not None and alone.top.section is B


def test_the_multilingual_rankers_probability_is_blended_with_the_rankers() -> None:
    hits = [(unit(A, "sentence"), 0.5), (unit(B, "sentence"), 0.5)]
    alone = rank(hits, {}, SECTIONS, ranker={A.id: 0.6, B.id: 0.4})
    both = rank(hits, {}, SECTIONS, ranker={A.id: 0.6, B.id: 0.4},
                multilingual={A.id: 0.1, B.id: 0.9})
    assert alone.top is not None and alone.top.section is A and "m" not in alone.top.signals
    assert both.top is not None and both.top.section is B and both.top.signals["m"] == 0.9
    w = Weights().multilingual
    assert both.top.score == round(0.4 * 0.5 / 0.6 + (1 - w) * 0.4 + w * 0.9, 4)
    # a section only the multilingual ranker found is ranked too
    found = rank([], {}, SECTIONS, ranker={}, multilingual={B.id: 0.7})
    assert found.top is not None and found.top.section is B


def test_decision_is_a_type_with_suggestions() -> None:
    hits = [(unit(A, "sentence"), 0.7), (unit(B, "sentence"), 0.65)]
    ranked = rank(hits, {}, SECTIONS, ranker={A.id: 0.5, B.id: 0.45})
    sure = decide(Ranking(ranked.sections, answer_probability=0.8), 0.5)
    assert sure.verdict is Verdict.ANSWER and sure.answer
    assert sure.reason == "answered: 0.800 >= threshold 0.500"
    assert [s.section for s in sure.suggestions] == [B]  # close behind the first
    unsure = decide(Ranking(ranked.sections, answer_probability=0.2), 0.5)
    assert unsure.verdict is Verdict.UNLIKELY and not unsure.answer
    assert [s.section for s in unsure.suggestions] == [A, B]  # the nearest, after "not covered"
    assert decide(Ranking(()), 0.1).verdict is Verdict.NOTHING_RETRIEVED
    far = rank([(unit(A, "sentence"), 0.9), (unit(B, "sentence"), 0.1)], {}, SECTIONS,
               ranker={A.id: 0.95, B.id: 0.05})
    assert decide(Ranking(far.sections, answer_probability=0.9), 0.5).suggestions == ()
    # a not-covered example is one of the decision's inputs, not a veto: only a near-copy of
    # one refuses on its own (the therapist's line in not-covered.md)
    close = Ranking(ranked.sections, not_covered=0.99, not_covered_example="how much is it",
                    not_covered_cosine=0.85, answer_probability=0.8)
    assert decide(close, 0.5).verdict is Verdict.ANSWER
    copy = dataclasses.replace(close, not_covered_cosine=0.95)
    assert decide(copy, 0.5).verdict is Verdict.COPY_OF_NOT_COVERED and not decide(copy, 0.5).answer
    assert decide(copy, 0.5).reason == "a near-copy of a not-covered example: 'how much is it'"
    # below the near-copy line, however close with the word match added, the calibrated
    # probability decides, whichever way it goes
    assert decide(dataclasses.replace(close, answer_probability=0.3), 0.5).verdict \
        is Verdict.UNLIKELY


def test_a_near_copy_is_judged_on_cosine_alone() -> None:
    """The example the question nearly copies is found by cosine, whichever example the word
    match lifts highest (that one feeds the decision's input, ``Ranking.not_covered``)."""
    worded = Unit("nc.md#i-q1", "question", "nc.md#i", "how much is the fee", "", NOT_COVERED, 1)
    copied = Unit("nc.md#i-q2", "question", "nc.md#i", "can you ship it", "", NOT_COVERED, 2)
    ranking = rank([(worded, 0.8), (copied, 0.93), (unit(A, "sentence"), 0.5)], {}, SECTIONS,
                   question_lexical={worded.id: 1.0})
    assert ranking.not_covered == 1.0  # 0.8 + 0.2 x its word match
    assert (ranking.not_covered_cosine, ranking.not_covered_example) == (0.93, "can you ship it")
    decision = decide(dataclasses.replace(ranking, answer_probability=0.9), 0.5)
    assert decision.reason == "a near-copy of a not-covered example: 'can you ship it'"


def test_bm25_scores_are_bounded_and_rank_matches() -> None:
    bm = BM25(["water the garden deeply", "prune roses in winter", "the club meets saturday"])
    scores = bm.scores("when to prune roses")
    assert max(scores) == scores[1]
    assert all(0.0 <= s < 1.0 for s in scores)
    assert bm.scores("zebra") == [0.0, 0.0, 0.0]


def test_a_section_at_half_the_first_ones_score_is_offered() -> None:
    # the dev sets: the right section was often second at 50-75% of the first one's score
    first = RankedSection(A, 1.0, {"r": 0.6})
    ranking = Ranking((first, RankedSection(B, 0.55, {"r": 0.3})), answer_probability=0.9)
    assert [s.section for s in decide(ranking, 0.5).suggestions] == [B]
    behind = Ranking((first, RankedSection(B, 0.45, {"r": 0.3})), answer_probability=0.9)
    assert decide(behind, 0.5).suggestions == ()
