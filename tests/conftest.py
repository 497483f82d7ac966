"""Shared fixtures.

* ``FakeEmbedder``: a deterministic bag-of-words embedder (hashed word counts, normalised) for
  pure and store tests: exact, fast, no model.
* ``real_embedder`` / ``real_bot``: the real all-MiniLM-L6-v2 from the installed package and a
  real Chroma store in a temp folder, built once per test session from the shipped corpus.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .prepare import TEST_ENV, copy_indexes, ready_screens

os.environ.update(TEST_ENV)  # before kapbot is imported: it reads the cache folder

from kapbot.bot import Bot
from kapbot.settings import Settings, load
from kapbot.text import words

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVALS = ROOT / "evals"
MODEL_FIXTURES = frozenset({"real_bot", "real_settings", "real_embedder"})


def pytest_sessionstart(session: pytest.Session) -> None:
    """In each process that runs tests (an xdist worker, or pytest alone), load or train the
    safety classifiers of the shipped corpus and of the second practice on a background thread,
    while the model-free tests run first (``pytest_collection_modifyitems``): a fresh clone trains
    them once, about two minutes, which the first test that needs one used to wait out. The
    classifiers are made once across processes (``kapbot.npzfile.made_once``); a test that needs
    one before it is ready waits for it, as before."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None and getattr(
            session.config.option, "numprocesses", None):
        return  # the controller of an xdist run runs no test
    # numpy whole, before the thread imports it too: a test importing it at the same moment met
    # a half-made numpy (RecursionError in numpy.__getattr__) when pytest ran in one process
    import numpy.exceptions  # noqa: F401

    threading.Thread(target=_ready_screens, name="kapbot-test-screens", daemon=True).start()


def _ready_screens() -> None:
    # the first worker readies the shipped corpus's classifier first, the second the second
    # practice's: the texts' features are made once, then both fit at once, one core each
    ready_screens(second_first=os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0")


def _needs_models(item: pytest.Item) -> bool:
    return bool(MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))) or any(
        item.get_closest_marker(name) is not None for name in ("model", "slow"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Test files without the real models first (whole files: ``--dist loadfile``), so both
    workers run them while the classifiers are made (``pytest_sessionstart``)."""
    heavy = {item.path for item in items if _needs_models(item)}
    items.sort(key=lambda item: item.path in heavy)  # stable: each file's order is kept


class FakeEmbedder:
    """Vector = hashed counts of content words, unit length. Same text, same vector."""

    name = "fake-bag-of-words-64"
    dims = 64

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        out = []
        for text in texts:
            vector = [0.0] * self.dims
            for word in words(text):
                vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dims] += 1.0
            norm = math.sqrt(sum(x * x for x in vector))
            if norm == 0:
                vector[0], norm = 1.0, 1.0
            out.append([x / norm for x in vector])
        return out


# A page the shipped corpus lacks. test_model and test_reload each add this same page, under
# this name, to a copy of the corpus: their classifier and rankers are then trained once (by
# whichever runs first; ``.test-cache``) instead of once each.
NEW_PAGE_NAME = "parking.md"
NEW_PAGE = (
    "---\ntitle: Visiting the office\nurl: https://example.org/visit\n---\n"
    "# Visiting the office\n\nThere is free street parking on Elm Street, and the office is "
    "on the second floor.\n\n<!-- questions\n- Where do I park?\n- is there parking\n-->\n"
)

TINY_ARTICLE = """---
title: Tending the Garden
url: https://example.org/garden
---
# Tending the Garden

Gardens need patience. Water them in the morning.

## Watering

Water deeply twice a week. Shallow watering makes roots lazy.

<!-- questions
- How often should I water my plants?
- is watering every day bad
-->

## Frequently Asked Questions

### When should I prune roses?

Prune roses in late winter, before new growth starts.
"""

TINY_ABOUT = """# About the garden club

The club meets on Saturdays in Springfield.
"""


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "garden.md").write_text(TINY_ARTICLE, encoding="utf-8")
    (folder / "about.md").write_text(TINY_ABOUT, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_settings(tiny_corpus: Path, tmp_path: Path) -> Settings:
    return Settings(
        corpus_dir=tiny_corpus,
        data_dir=tmp_path / "data",
        practice_name="Green Thumb Club",
        therapist_name="Pat Gardener",
        booking_url="https://green.example.org/book",
        answer_threshold=0.3,
        # the safety classifier needs the real models (tested there); here the rules screen
        urgent_threshold=1.0, concern_threshold=1.0, medical_threshold=1.0, scope_threshold=1.0,
    )


@pytest.fixture
def tiny_bot(tiny_settings: Settings, fake_embedder: FakeEmbedder) -> Bot:
    bot = Bot(tiny_settings, embedder=fake_embedder)
    bot.prepare()
    return bot


@pytest.fixture(scope="session")
def real_embedder() -> object:
    from kapbot.index.fullmodel import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("real-data")
    copy_indexes(data)  # made by `make test` beforehand (tests/prepare.py), when it was
    return load(config_path=ROOT / "kapbot.toml", environ={}, data_dir=str(data),
                cache_dir=os.environ["KAPBOT_CACHE_DIR"])


@pytest.fixture(scope="session")
def real_bot(real_settings: Settings) -> Iterator[Bot]:
    bot = Bot(real_settings)  # the product path: sentence-transformers index, ONNX questions
    bot.prepare()
    yield bot
