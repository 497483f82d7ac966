"""What the test suite makes once per machine (in ``.test-cache``), made ahead of the tests.

``make test`` runs ``python -m tests.prepare`` beside the linters (``make -j2``), so on a fresh
clone the safety classifiers, the section rankers and the index vectors of the shipped corpus and
of the second practice are trained while mypy runs, not while the first model test waits. A
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


def main() -> int:
    """Both practices' classifiers, then their indexes (whose vectors and rankers are cached)."""
    os.environ.update(TEST_ENV)
    from kapbot.bot import Bot
    from kapbot.settings import load

    ready_screens()
    for config in CONFIGS:
        with tempfile.TemporaryDirectory(prefix="kapbot-test-prepare-") as data:
            Bot(load(config_path=config, environ={}, data_dir=data,
                     cache_dir=TEST_ENV["KAPBOT_CACHE_DIR"])).prepare()
    print("tests/prepare.py: the test suite's classifiers, rankers and vectors are ready",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
