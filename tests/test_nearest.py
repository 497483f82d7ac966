"""The exact in-memory search of an index version's units (``kapbot.ranking.nearest``)."""

from __future__ import annotations

import math
from pathlib import Path

from kapbot.index.store import Store
from kapbot.models import Unit
from kapbot.ranking.nearest import NearestUnits

from .conftest import FakeEmbedder


def _unit(uid: str, kind: str, text: str) -> Unit:
    return Unit(uid, kind, uid.split("-")[0], text, text)  # type: ignore[arg-type]


UNITS = [
    _unit("a-1", "passage", "x"), _unit("a-2", "sentence", "y"), _unit("b-1", "question", "z"),
    _unit("b-2", "question", "w"), _unit("c-1", "question", "v"),
]
VECTORS = {"a-1": [1.0, 0.0], "a-2": [0.0, 2.0], "b-1": [3.0, 4.0], "b-2": [4.0, 3.0],
           "c-1": [-1.0, 0.0]}


def test_nearest_is_cosine_by_type_most_similar_first() -> None:
    search = NearestUnits(UNITS, VECTORS)
    assert len(search) == 5
    got = search.nearest([1.0, 0.0], "question", 2)
    assert [uid for uid, _ in got] == ["b-2", "b-1"]
    assert [round(sim, 6) for _, sim in got] == [0.8, 0.6]
    assert [uid for uid, _ in search.nearest([2.0, 0.0], "question", 9)] == ["b-2", "b-1", "c-1"]
    assert [(u, round(s, 6)) for u, s in search.nearest([1.0, 0.0], "passage", 5)] == [("a-1", 1.0)]
    assert search.nearest([1.0, 0.0], "question", 0) == []


def test_ties_go_by_id_and_missing_vectors_are_left_out() -> None:
    twins = [_unit("q-2", "question", "a"), _unit("q-1", "question", "b"),
             _unit("q-3", "question", "c")]
    search = NearestUnits(twins, {"q-2": [1.0, 1.0], "q-1": [2.0, 2.0]})
    assert [uid for uid, _ in search.nearest([1.0, 1.0], "question", 1)] == ["q-1"]
    assert [uid for uid, _ in search.nearest([1.0, 1.0], "question", 5)] == ["q-1", "q-2"]
    assert search.nearest([1.0, 1.0], "sentence", 5) == []


def test_table_gives_unit_vectors_in_the_order_asked() -> None:
    ids, table = NearestUnits(UNITS, VECTORS).table(["b-1", "nope", "a-2"])
    assert ids == ["b-1", "a-2"]
    assert [round(s, 6) for s in table.similarities([0.0, 1.0])] == [0.8, 1.0]


def test_agrees_with_chroma_on_a_real_store(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    words = ["garden", "roses", "winter", "water", "prune", "soil", "sun", "seed", "leaf", "root"]
    units = [_unit(f"s{i}-{j}", "question" if j % 2 else "sentence",
                   f"{words[i]} {words[j]} {words[(i + j) % 10]}")
             for i in range(10) for j in range(10)]
    store = Store(tmp_path / "chroma", fake_embedder).open()
    store.rebuild(units, "fp1")
    vectors = store.vectors([u.id for u in units], version="fp1")
    search = NearestUnits(units, vectors)
    for query in ("prune the roses", "water in winter", "seed and soil"):
        vector = fake_embedder.embed([query])[0]
        for kind in ("question", "sentence"):
            chroma = store.nearest(vector, 10, kind, version="fp1")
            exact = search.nearest(vector, kind, 10)
            assert len(exact) == len(chroma) == 10
            assert all(math.isclose(a, b, abs_tol=1e-4) for (_, a), (_, b) in
                       zip(exact, chroma, strict=True))
