"""The Chroma store, for real, in a temp folder (with the fake embedder for speed)."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pytest

from kapbot.bot import Bot
from kapbot.index.store import Store
from kapbot.models import Unit
from kapbot.settings import Settings

from .conftest import FakeEmbedder


def _units() -> list[Unit]:
    return [
        Unit("d#a-1", "passage", "d#a", "water the garden deeply", "water the garden deeply"),
        Unit("d#b-1", "passage", "d#b", "prune roses in winter", "prune roses in winter"),
        Unit("d#b-q1", "question", "d#b", "when do I prune roses", "", "bank", 1),
    ]


def test_scores_are_cosine_similarities(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    store = Store(tmp_path / "chroma", fake_embedder).open()
    store.rebuild(_units(), "fp1")
    query = "prune roses"
    vector = fake_embedder.embed([query])[0]
    hits = store.query(vector, "passage", k=2)
    assert [u.id for u, _ in hits] == ["d#b-1", "d#a-1"]
    expected = fake_embedder.embed(["prune roses in winter"])[0]
    cosine = sum(a * b for a, b in zip(vector, expected, strict=True))
    assert math.isclose(hits[0][1], cosine, abs_tol=1e-4)  # Chroma gives 1 - similarity
    only_questions = store.query(vector, "question", k=5)
    assert [u.origin for u, _ in only_questions] == ["bank"]
    in_section = store.query(vector, None, k=5, section_id="d#a")
    assert [u.id for u, _ in in_section] == ["d#a-1"]


def test_rebuild_never_duplicates_and_tracks_fingerprint(tmp_path: Path,
                                                          fake_embedder: FakeEmbedder) -> None:
    store = Store(tmp_path / "chroma", fake_embedder).open()
    assert store.is_current("fp1") == (False, "the index is empty or missing")
    store.rebuild(_units(), "fp1")
    store.rebuild(_units(), "fp1")
    assert store.info() == {"fingerprint": "fp1", "units": 3, "count": 3}
    assert store.is_current("fp1") == (True, "")
    assert store.is_current("fp2")[0] is False
    reopened = Store(tmp_path / "chroma", fake_embedder).open()
    assert reopened.info()["count"] == 0  # nothing active until prepared
    assert reopened.info("fp1")["count"] == 3


def test_index_rebuilds_when_corpus_or_settings_change(tiny_settings: Settings,
                                                      fake_embedder: FakeEmbedder) -> None:
    first = Bot(tiny_settings, embedder=fake_embedder).prepare()
    assert first.rebuilt
    again = Bot(tiny_settings, embedder=fake_embedder).prepare()
    assert not again.rebuilt and again.fingerprint == first.fingerprint
    (tiny_settings.corpus_dir / "new.md").write_text("# Compost\n\nCompost feeds the soil.\n")
    changed = Bot(tiny_settings, embedder=fake_embedder).prepare()
    assert changed.rebuilt and changed.units > first.units
    resized = Bot(tiny_settings.replace(chunk_size=60, chunk_overlap=10),
                  embedder=fake_embedder).prepare()
    assert resized.rebuilt and resized.reason == "the corpus or index settings changed"


@pytest.mark.parametrize("damage", [b"", b"this is not a database" * 100])
def test_corrupt_or_empty_store_is_rebuilt_with_a_log_line(
    tiny_settings: Settings, fake_embedder: FakeEmbedder, caplog: pytest.LogCaptureFixture,
    damage: bytes,
) -> None:
    Bot(tiny_settings, embedder=fake_embedder).prepare()
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # as a new process would start
    db = tiny_settings.data_dir / "chroma" / "chroma.sqlite3"
    db.write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        bot = Bot(tiny_settings, embedder=fake_embedder)
        report = bot.prepare()
    assert report.rebuilt
    assert any("Rebuilding the index" in r.getMessage() for r in caplog.records)
    assert bot.store.info()["count"] == report.units
    answer = bot.ask("When should I prune roses?")
    assert answer.kind == "answer"


def test_missing_data_dir_is_created(tiny_settings: Settings, fake_embedder: FakeEmbedder) -> None:
    settings = tiny_settings.replace(data_dir=tiny_settings.data_dir / "deep" / "er")
    assert Bot(settings, embedder=fake_embedder).prepare().rebuilt
    assert (settings.data_dir / "chroma").is_dir()


def test_versions_are_pruned_but_the_newest_other_is_spared(tmp_path: Path,
                                                            fake_embedder: FakeEmbedder) -> None:
    store = Store(tmp_path / "chroma", fake_embedder).open()
    for version in ("v1", "v2", "v3"):
        store.rebuild(_units(), version)
    assert store.active == "v3"
    assert store.prune({"v3"}, spare=1) == 1  # v1 goes; v2, the newest other, may be in use
    assert (store.info("v1")["count"], store.info("v2")["count"]) == (0, 3)
    assert store.prune({"v3"}) == 1 and store.info("v2")["count"] == 0
    assert store.query(fake_embedder.embed(["roses"])[0], "passage", k=1)  # v3 still answers
