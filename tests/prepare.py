"""What the test suite makes once per machine (in ``.test-cache``), made ahead of the tests.

``make test`` runs ``python -m tests.prepare`` beside the linters (``make -j2``), so on a fresh
clone the safety classifiers, the section rankers and the indexes of the shipped corpus and of
the second practice are made while mypy runs, not while each worker's first model test waits. A
pytest run alone (no ``make``) does the same on a background thread (``conftest``): the
classifiers only, while the model-free tests run first. Everything here is made once across
processes (``kapbot.npzfile.made_once``): whoever comes second loads what the first saved.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (ROOT / "kapbot.toml", ROOT / "tests" / "second_practice" / "kapbot.toml")
INDEXES = ROOT / ".test-cache" / "indexes"  # a data folder with both practices' indexes
# the environment of every test process: one cache for every test bot and server (trained once
# per machine and data), offline, no telemetry
TEST_ENV = {
    "KAPBOT_CACHE_DIR": str(ROOT / ".test-cache"),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def ready_screens(second_first: bool = False) -> None:
    """Load or train both practices' safety classifiers (``second_first``: the second practice's
    first, so two processes fit the two at once, one core each, after the features are made)."""
    from kapbot.bot import Bot
    from kapbot.settings import load

    with tempfile.TemporaryDirectory(prefix="kapbot-test-screens-") as data:
        for config in reversed(CONFIGS) if second_first else CONFIGS:
            with contextlib.suppress(Exception):  # the tests that need one make it themselves
                Bot(load(config_path=config, environ={}, data_dir=data,
                         cache_dir=os.environ["KAPBOT_CACHE_DIR"])).screener.ready()


def pages_alone_site(folder: Path) -> Path:
    """A development practice's own pages with the starter ``not-covered.md`` and no bank, as
    ``kapbot init`` makes a new practice (``tests/test_shared_decision.py``): its kapbot.toml."""
    import shutil

    from kapbot.corpus.newpractice import Practice, init

    init(folder, Practice("Riverstone Counseling", "the therapist"))
    for page in sorted((ROOT / "evals/dev-practices/d1/pages").glob("*.md")):
        shutil.copy(page, folder / "corpus" / page.name)
    return folder / "kapbot.toml"


def main() -> int:
    """Each practice's classifier and index (``Bot.prepare`` readies both), the indexes in
    ``INDEXES`` (their vectors and rankers cached): each test process starts from a copy
    (``copy_indexes``); a practice's pages alone (``pages_alone_site``: its classifier, vectors
    and rankers); and the sealed messages' vectors (``test_sealed.sealed_vectors``)."""
    os.environ.update(TEST_ENV)
    from kapbot.bot import Bot
    from kapbot.settings import load
    from tests.test_sealed import sealed_vectors

    for config in CONFIGS:
        bot = Bot(load(config_path=config, environ={}, data_dir=str(INDEXES),
                       cache_dir=TEST_ENV["KAPBOT_CACHE_DIR"]))
        bot.prepare()
    with tempfile.TemporaryDirectory(prefix="kapbot-test-pages-alone-") as folder:
        Bot(load(config_path=pages_alone_site(Path(folder)), environ={},
                 cache_dir=TEST_ENV["KAPBOT_CACHE_DIR"])).prepare()
    sealed_vectors(bot)  # test_sealed's cosine check: the sealed messages embedded once
    print("tests/prepare.py: the test suite's classifiers, rankers and indexes are ready",
          file=sys.stderr)
    return 0


def copy_indexes(data_dir: Path) -> None:
    """The indexes ``main`` built, copied into a test process's data folder (when there are
    any): its bots then find them up to date instead of building their own. A stale copy is
    rebuilt there as any outdated index is."""
    import shutil

    if (INDEXES / "chroma").is_dir() and not (data_dir / "chroma").exists():
        shutil.copytree(INDEXES / "chroma", data_dir / "chroma")


if __name__ == "__main__":
    sys.exit(main())
