"""Lines lent by other practices' banks to sections with no bank (kapbot.ranking.borrowed,
kapbot.index.lending): which section borrows, that the lines train the ranker only, and the
shipped data file."""

from __future__ import annotations

import numpy as np

from kapbot.index.lending import lending_sections, lent_units
from kapbot.models import Unit
from kapbot.ranking import borrowed
from kapbot.ranking.ranker import UnitTable, training_lines


def _unit(vec: list[float]) -> list[float]:
    v = np.asarray(vec, dtype=np.float64)
    return list(v / np.linalg.norm(v))


def test_a_section_borrows_only_when_clearly_the_one_alike() -> None:
    own = np.asarray([_unit([1, 0, 0]), _unit([0, 1, 0]), _unit([0, 0.9, 0.44])])
    lenders = np.asarray([_unit([1, 0.05, 0]),  # like the first alone: lends to it
                          _unit([0, 1, 0.2]),  # like the second and the third: lends to none
                          _unit([-1, 0, 0])])  # like nothing here
    assert borrowed.borrowers(own, lenders) == [0, -1, -1]
    assert borrowed.borrowers(np.zeros((0, 3)), lenders) == [-1, -1, -1]


def test_only_sections_without_a_bank_take_lines() -> None:
    lending = [borrowed.LendingSection("p4", "a.md#fees", ("fees",), ("how much is it?",)),
               borrowed.LendingSection("p5", "b.md#parking", ("parking",), ("where to park?",))]
    own = np.asarray([_unit([1, 0]), _unit([0, 1])])
    lenders = np.asarray([_unit([1, 0.01]), _unit([0.01, 1])])
    lines = borrowed.lent_lines(["x.md#fees", "x.md#parking"], own, {"x.md#parking"}, lending,
                                lenders)
    assert lines == [("x.md#parking", "where to park?")]


def test_lent_lines_train_the_ranker_lightly_and_nothing_else() -> None:
    units = [Unit("a.md#x-s1", "sentence", "a.md#x", "We meet weekly.", "We meet weekly."),
             Unit("a.md#x-lent1", "question", "a.md#x", "how often?", "", borrowed.ORIGIN, 1)]
    vectors = {u.id: [1.0, 0.0] for u in units}
    weights = {u.id: w for u, _, w in training_lines(units, use_bank=True)}
    assert weights == {"a.md#x-s1": 1.0, "a.md#x-lent1": borrowed.WEIGHT}
    assert [u.id for u, _, _ in training_lines(units, use_bank=False)] == ["a.md#x-s1"]
    assert UnitTable.build(units, vectors, use_bank=True).ids == ("a.md#x-s1",)


class _WordEmbedder:
    """A deterministic stand-in: one dimension per topic word."""

    name = "words"
    TOPICS = ("cost", "park", "sleep")

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            v = [float(t in text.lower()) for t in self.TOPICS] + [0.01]
            out.append(_unit(v))
        return out


def test_a_corpus_with_banks_everywhere_borrows_nothing() -> None:
    units = [Unit("a.md#x-1", "passage", "a.md#x", "cost", "cost"),
             Unit("a.md#x-q1", "question", "a.md#x", "price?", "", "bank", 1)]
    assert lent_units(units, {"a.md#x-1": [1.0, 0, 0, 0]}, _WordEmbedder()) == ([], {}, "")


def test_a_section_without_a_bank_borrows_from_the_shipped_file() -> None:
    embedder = _WordEmbedder()
    units = [Unit("a.md#fees-1", "passage", "a.md#fees", "Fees: the cost of a session", ""),
             Unit("a.md#sleep-1", "passage", "a.md#sleep", "Sleep after a session", "")]
    vectors = dict(zip([u.id for u in units], embedder.embed([u.text for u in units]),
                       strict=True))
    lent, lent_vectors, digest = lent_units(units, vectors, embedder)
    assert lent and digest and set(lent_vectors) == {u.id for u in lent}
    assert {u.section_id for u in lent} <= {"a.md#fees", "a.md#sleep"}
    assert all(u.origin == borrowed.ORIGIN and u.type == "question" for u in lent)


def test_the_shipped_file_is_from_the_listed_practices() -> None:
    sections = lending_sections()
    sources = {s.source for s in sections}
    assert sources == {"shipped", "second", "p4", "p5", "p6", "p7", "p8", "p9"}
    assert sum(len(s.questions) for s in sections) == 2956
    assert all(s.passages and s.questions for s in sections)
