"""The question moved towards the bank's nearest wordings for the ranker, decided unmoved."""

from __future__ import annotations

import numpy as np

from kapbot.bot import Bot
from kapbot.ranking import query_expansion


def test_the_question_moves_towards_its_nearest_bank_questions() -> None:
    questions = np.eye(4, dtype=np.float32)  # four bank questions, one per axis
    question = [0.8, 0.6, 0.0, 0.0]
    moved = query_expansion.expand(question, questions, lines=1, weight=1.0)
    expected = np.array([1.8, 0.6, 0.0, 0.0]) / np.linalg.norm([1.8, 0.6])  # towards row 0
    assert np.allclose(moved, expected, atol=1e-6)
    two = query_expansion.expand(question, questions, lines=2, weight=1.0)  # rows 0 and 1, averaged
    assert np.allclose(two, np.array([1.3, 1.1, 0, 0]) / np.linalg.norm([1.3, 1.1]), atol=1e-6)
    assert abs(np.linalg.norm(query_expansion.expand(question, questions)) - 1.0) < 1e-6
    assert np.allclose(query_expansion.expand(question, np.zeros((0, 4), np.float32)), question)
    assert np.allclose(query_expansion.expand(question, questions, lines=0), question)  # no bank


def test_the_ranking_reads_the_moved_question_and_the_decision_the_question_as_asked(
        tiny_bot: Bot) -> None:
    question = "how often should the garden get water"
    snap = tiny_bot._snapshot
    assert snap is not None and snap.bank_lines
    ranker, table = snap.rankers[True]
    vector = tiny_bot.embedder.embed([question])[0]
    ranking = tiny_bot.search.rank(snap, question, vector, use_bank=True)
    as_asked = ranker.probabilities(vector)
    moved = ranker.probabilities(query_expansion.expand(vector, table.questions))
    assert moved[0] != as_asked[0]  # the ranker reads the moved vector...
    assert ranking.not_covered_probability == round(as_asked[1], 4)  # ...the decision not
    top = ranking.top
    assert top is not None and top.signals["r"] == round(moved[0][top.section.id], 4)
    alone = tiny_bot.search.rank(snap, question, vector, use_bank=False)  # no bank: unmoved
    plain, _ = snap.rankers[False][0].probabilities(vector)
    assert alone.top is not None and alone.top.signals["r"] == round(
        plain[alone.top.section.id], 4)


def test_the_multilingual_ranker_reads_the_moved_question_and_decides_it_as_asked(
        tiny_bot: Bot) -> None:
    """``crosslingual.ranker_reading``, as a Spanish question is read: the section
    probabilities of the moved question, the decision of the question as asked; a table
    without bank lines reads the question unmoved."""
    from kapbot.language.crosslingual import ranker_reading
    from kapbot.ranking.ranker import UnitTable, features_for

    snap = tiny_bot._snapshot
    assert snap is not None
    ranker, table = snap.rankers[True]  # any ranker and its table will do
    assert table.bank_lines > 0
    vector = tiny_bot.embedder.embed(["how often should the garden get water"])[0]
    probabilities, sure = ranker_reading((ranker, table), vector)
    moved = ranker.probabilities(query_expansion.expand(vector, table.questions))[0]
    assert probabilities == moved
    best = max(moved, key=lambda s: (moved[s], s))
    assert sure == ranker.answer_probability(features_for(
        ranker, table, vector, best, ranker.probabilities(vector)))
    unbanked = UnitTable(table.ids, table.matrix, table.sections, table.kinds,
                         table.by_section, table.questions, bank_lines=0)
    assert ranker_reading((ranker, unbanked), vector)[0] == ranker.probabilities(vector)[0]
