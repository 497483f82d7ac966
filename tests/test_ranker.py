"""The trained section ranker: learnt from the corpus at index time, deterministic, cached
under the index fingerprint, and a decision that answers a practice without a bank."""

from __future__ import annotations

import numpy as np

from kapbot.bot import Bot
from kapbot.ranking import ranker as section_ranker
from kapbot.ranking.ranker import NOT_COVERED_CLASS, UnitTable, features_for, train
from kapbot.settings import Settings

from .conftest import FakeEmbedder


def _units_and_vectors(bot: Bot) -> tuple[list, dict[str, list[float]]]:  # type: ignore[type-arg]
    snap = bot._snapshot
    assert snap is not None
    units = list(snap.units.values())
    return units, bot.store.vectors([u.id for u in units], version=snap.fingerprint)


def test_ranker_is_trained_cached_and_deterministic(tiny_bot: Bot) -> None:
    snap = tiny_bot._snapshot
    assert snap is not None and set(snap.rankers) == {True, False}
    saved = sorted(p.name for p in tiny_bot.settings.learnt("ranking").glob("ranker-*.npz"))
    multilingual = [name for name in saved if "-multilingual-" in name]  # Spanish questions'
    bank = f"ranker-{snap.fingerprint}-v{section_ranker.VERSION}-bank.npz"
    assert [name for name in saved if name not in multilingual] == [
        bank, f"ranker-{snap.fingerprint}-v{section_ranker.VERSION}-nobank.npz"]
    assert len(multilingual) == 1 and multilingual[0].endswith("-bank.npz")
    units, vectors = _units_and_vectors(tiny_bot)
    again = train(units, vectors, True, "k")
    once_more = train(units, vectors, True, "k")
    assert np.array_equal(again.weights, once_more.weights)
    assert np.array_equal(again.decision_weights, once_more.decision_weights)
    cached, _ = snap.rankers[True]
    loaded = section_ranker.load(tiny_bot.settings.learnt("ranking") / bank, cached.fingerprint)
    assert loaded is not None and np.array_equal(loaded.weights, cached.weights)
    assert section_ranker.load(tiny_bot.settings.learnt("ranking") / bank, "other") is None


def test_ranker_puts_the_right_section_first(tiny_bot: Bot, fake_embedder: FakeEmbedder) -> None:
    snap = tiny_bot._snapshot
    assert snap is not None
    ranker, _ = snap.rankers[True]
    probabilities, not_covered = ranker.probabilities(
        fake_embedder.embed(["how often to water plants"])[0])
    assert max(probabilities, key=lambda s: probabilities[s]) == "garden.md#watering"
    assert abs(sum(probabilities.values()) - 1.0) < 1e-5 and not_covered == 0.0


def test_no_bank_practice_is_answered_from_its_sentences(
    tiny_settings: Settings, fake_embedder: FakeEmbedder,
) -> None:
    """No bank and no not-covered examples: the decision is calibrated on the page's own
    sentences, so a question that matches a sentence is answered, and one that shares nothing
    with the page is not."""
    bot = Bot(tiny_settings, embedder=fake_embedder)
    bot.prepare()
    units, vectors = _units_and_vectors(bot)
    ranker = train(units, vectors, False, "k")
    assert NOT_COVERED_CLASS not in ranker.classes
    table = UnitTable.build(units, vectors, False)
    near = fake_embedder.embed(["shallow watering lazy roots"])[0]
    far = fake_embedder.embed(["zebra quartz volcano"])[0]
    assert ranker.answer_probability(features_for(ranker, table, near,
                                                  "garden.md#watering")) > 0.5
    assert ranker.answer_probability(features_for(ranker, table, far,
                                                  "garden.md#watering")) < 0.5
    assert bot.ask("is shallow watering bad for roots?", use_bank=False).kind == "answer"


def _lines(seed: int, classes: int, per_class: int, noise: float) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 16))
    y = np.repeat(np.arange(classes), per_class)
    x = centres[y] + noise * rng.normal(size=(len(y), 16))
    w = rng.choice([0.5, 1.0], size=len(y))
    return x, y, w


def test_ridge_without_a_fold_is_the_fit_on_the_other_lines() -> None:
    """The fold models come from sums (all lines minus the fold's): each must equal a model
    fitted on the other folds' lines alone."""
    from kapbot.ranking.ridge import FoldedLines

    x, y, w = _lines(1, 6, 20, 0.5)
    fold = np.arange(len(y)) % 5
    lines = FoldedLines(x, y, w, 6, fold)
    for f in range(5):
        keep = fold != f
        alone = FoldedLines(x[keep], y[keep], w[keep], 6, np.zeros(int(keep.sum()), int))
        assert np.allclose(lines.solve(0.3, without=f), alone.solve(0.3), atol=1e-8)
    assert not np.allclose(lines.solve(0.3, without=0), lines.solve(0.3), atol=1e-3)


def test_ridge_choice_follows_how_separable_the_sections_are() -> None:
    """Held-out lines choose the temperature: sections far apart get sharper probabilities than
    sections that overlap, and every held-out line is scored once."""
    from kapbot.ranking.ridge import FoldedLines

    temps = (1.0, 5.0, 20.0, 80.0)
    chosen = []
    for noise in (0.05, 3.0):
        x, y, w = _lines(2, 8, 25, noise)
        lines = FoldedLines(x, y, w, 8, np.arange(len(y)) % 5)
        rows = np.arange(len(y))
        assert sorted(i for part, _ in lines.held_out(0.1, rows) for i in part.tolist()) == \
            rows.tolist()
        chosen.append(lines.choose((0.1, 1.0), temps, rows).temperature)
    assert chosen[0] > chosen[1]


def test_a_corpus_over_the_exact_budget_gets_the_ridge_ranker(
    tiny_bot: Bot, fake_embedder: FakeEmbedder,
) -> None:
    """Past ``EXACT_BUDGET`` (lines × classes) the closed-form ranker is trained instead: it too
    ranks the right section first, gives probabilities that sum to 1 and a working decision."""
    units, vectors = _units_and_vectors(tiny_bot)
    exact = train(units, vectors, True, "k")
    ridge = train(units, vectors, True, "k", exact_budget=0)
    assert not np.allclose(exact.weights, ridge.weights)
    vector = fake_embedder.embed(["how often to water plants"])[0]
    probabilities, _ = ridge.probabilities(vector)
    assert max(probabilities, key=lambda s: probabilities[s]) == "garden.md#watering"
    assert abs(sum(probabilities.values()) - 1.0) < 1e-5
    table = UnitTable.build(units, vectors, True)
    assert ridge.answer_probability(features_for(ridge, table, vector, "garden.md#watering")) > \
        ridge.answer_probability(features_for(ridge, table,
                                              fake_embedder.embed(["zebra quartz volcano"])[0],
                                              "garden.md#watering"))
