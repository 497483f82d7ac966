"""The index's vectors are remembered between builds: only new text reaches the model."""

from __future__ import annotations

from pathlib import Path

from kapbot.corpus.reader import load_corpus
from kapbot.index.vectorcache import VectorCache
from kapbot.language.crosslingual import CrossLingual
from kapbot.npzfile import text_key
from kapbot.settings import Settings
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


def test_the_corpus_multilingual_vectors_are_remembered_and_a_visitors_are_not(
    tmp_path: Path, tiny_settings: Settings,
) -> None:
    """Answers across languages embed the corpus's lines once (a start reads them back), while
    a visitor's question goes to the model alone and never into the file."""
    corpus = load_corpus(tiny_settings.corpus_dir)
    plain = CrossLingual(FakeEmbedder())
    first_model, visitor_model = Counting(), Counting()
    first = CrossLingual(visitor_model, corpus_embedder=VectorCache(first_model, tmp_path))
    first.ready(corpus)
    assert first_model.texts and not visitor_model.texts
    later_model = Counting()  # the next start
    later = CrossLingual(visitor_model, corpus_embedder=VectorCache(later_model, tmp_path))
    question = "¿cada cuánto riego las plantas?"
    match = later.rank(corpus, question, "es")
    assert later_model.texts == [] and visitor_model.texts == [question]
    assert [(p.section.id, round(p.score, 6)) for p in match.passages] == \
        [(p.section.id, round(p.score, 6)) for p in plain.rank(corpus, question, "es").passages]
    assert question.encode() not in VectorCache(Counting(), tmp_path).path.read_bytes()
    assert text_key(question) not in VectorCache(Counting(), tmp_path)._load()
