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
    assert saved == [f"ranker-{snap.fingerprint}-v{section_ranker.VERSION}-bank.npz",
                     f"ranker-{snap.fingerprint}-v{section_ranker.VERSION}-nobank.npz"]
    units, vectors = _units_and_vectors(tiny_bot)
    again = train(units, vectors, True, "k")
    once_more = train(units, vectors, True, "k")
    assert np.array_equal(again.weights, once_more.weights)
    assert np.array_equal(again.decision_weights, once_more.decision_weights)
    cached, _ = snap.rankers[True]
    loaded = section_ranker.load(tiny_bot.settings.learnt("ranking") / saved[0], cached.fingerprint)
    assert loaded is not None and np.array_equal(loaded.weights, cached.weights)
    assert section_ranker.load(tiny_bot.settings.learnt("ranking") / saved[0], "other") is None


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
