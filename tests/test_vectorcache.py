"""The index's vectors are remembered between builds: only new text reaches the model."""

from __future__ import annotations

from pathlib import Path

from kapbot.vectorcache import VectorCache
from tests.conftest import FakeEmbedder


class Counting(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts += texts
        return super().embed(texts)


def test_only_new_texts_reach_the_model_even_in_a_new_process(tmp_path: Path) -> None:
    model = Counting()
    first = VectorCache(model, tmp_path).embed(["water the roses", "prune in winter"])
    assert model.texts == ["water the roses", "prune in winter"]
    assert first == FakeEmbedder().embed(["water the roses", "prune in winter"])

    later = Counting()  # another build, another process: the file is read back
    again = VectorCache(later, tmp_path).embed(["prune in winter", "mulch in spring",
                                                "water the roses", "mulch in spring"])
    assert later.texts == ["mulch in spring"]  # once, though asked twice
    assert again == FakeEmbedder().embed(["prune in winter", "mulch in spring",
                                          "water the roses", "mulch in spring"])


def test_another_model_does_not_read_these_vectors(tmp_path: Path) -> None:
    VectorCache(Counting(), tmp_path).embed(["water the roses"])
    other = Counting()
    other.name = "another-model"
    VectorCache(other, tmp_path).embed(["water the roses"])
    assert other.texts == ["water the roses"]


def test_a_damaged_file_is_rebuilt(tmp_path: Path) -> None:
    cache = VectorCache(Counting(), tmp_path)
    cache.embed(["water the roses"])
    cache.path.write_bytes(b"not an npz")
    model = Counting()
    assert VectorCache(model, tmp_path).embed(["water the roses"]) == \
        FakeEmbedder().embed(["water the roses"])
    assert model.texts == ["water the roses"]
