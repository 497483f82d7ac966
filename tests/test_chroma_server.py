"""Chroma server mode (``chroma_url``): a real ``chroma run`` started by the suite."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kapbot import wording
from kapbot.bot import Bot
from kapbot.index.store import Store
from kapbot.settings import Settings
from kapbot.workbench.evaluation import parse_cases

from .conftest import EVALS, ROOT, FakeEmbedder
from .servers import ChromaServer
from .test_index_recovery import answers_again
from .test_store import _units

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db").start()
    yield server
    server.stop()


def test_store_on_a_server_matches_the_local_store(
    chroma: ChromaServer, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    local = Store(tmp_path / "local", fake_embedder).open()
    remote = Store(tmp_path / "unused", fake_embedder, "storetest", url=chroma.url).open()
    assert remote.where == f"the Chroma server {chroma.url}"
    for store in (local, remote):
        assert store.is_current("fp1") == (False, "the index is empty or missing")
        store.rebuild(_units(), "fp1")
        assert store.is_current("fp1") == (True, "")
    assert not (tmp_path / "unused").exists()  # nothing written locally in server mode
    vector = fake_embedder.embed(["prune roses"])[0]
    for unit_type in ("passage", "question", None):
        mine = local.query(vector, unit_type, k=5)  # type: ignore[arg-type]
        theirs = remote.query(vector, unit_type, k=5)  # type: ignore[arg-type]
        assert [u for u, _ in mine] == [u for u, _ in theirs]
        assert all(math.isclose(a, b, abs_tol=1e-5)
                   for (_, a), (_, b) in zip(mine, theirs, strict=True))
    remote.rebuild(_units()[:2], "fp2")  # a new version replaces the old one
    assert remote.info() == {"fingerprint": "fp2", "units": 2, "count": 2}
    assert remote.prune({"fp2"}) == 1 and remote.info("fp1")["count"] == 0


@pytest.fixture(scope="module")
def server_settings(chroma: ChromaServer, real_settings: Settings) -> Settings:
    # the same data folder as real_bot, so the ONNX copy of the model is shared, not exported
    return real_settings.replace(chroma_url=chroma.url, collection="served")


def test_answers_from_a_server_equal_the_local_index(real_bot: Bot,
                                                     server_settings: Settings) -> None:
    served = Bot(server_settings)
    assert served.prepare().rebuilt
    cases = parse_cases((EVALS / "questions.jsonl").read_text(encoding="utf-8").splitlines())
    for case in cases:
        assert served.ask(case.question).to_dict() == real_bot.ask(case.question).to_dict()


def test_two_processes_on_one_server_answer_alike(real_bot: Bot,
                                                  server_settings: Settings) -> None:
    Bot(server_settings).prepare()
    questions = ["What is ketamine integration?", "How long does a ketamine session last?",
                 "do you take insurance", "I want to kill myself",
                 "Can I take ketamine with my antidepressants?"]
    env = {**os.environ, "KAPBOT_DATA_DIR": str(server_settings.data_dir),
           "KAPBOT_CHROMA_URL": server_settings.chroma_url, "KAPBOT_COLLECTION": "served"}
    procs = [subprocess.Popen([sys.executable, "-m", "kapbot.cli", "ask", "--json", "-"],
                              cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate("\n".join(questions) + "\n", timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Rebuilding" not in err  # the second process found the index built
    first, second = ([json.loads(line) for line in out.splitlines()] for out, _ in outputs)
    assert first == second
    assert first == [real_bot.ask(q).to_dict() for q in questions]
    assert [a["kind"] for a in first] == ["answer", "answer", "no_answer", "crisis", "medical"]


def test_outage_is_polite_crisis_still_answered_and_it_recovers(
    tiny_settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    server = ChromaServer(tmp_path / "db")  # not started yet: a bot that starts first
    bot = Bot(tiny_settings.replace(chroma_url=server.url), embedder=fake_embedder)
    down = bot.ask("When should I prune roses?")
    unavailable = wording.UNAVAILABLE.format(therapist=tiny_settings.therapist_name)
    assert down.kind == "no_answer" and down.text.startswith(unavailable)
    assert down.text.endswith(f"[Book a free discovery call]({tiny_settings.booking_url})")
    assert bot.ask("I want to kill myself").kind == "crisis"
    try:
        server.start()
        assert answers_again(bot, "When should I prune roses?")  # built in the background
        server.stop()
        held = bot.ask("When should I prune roses?")  # the loaded index's vectors are in memory
        assert held.kind == "answer" and held.sources[0].section
        assert bot._snapshot is not None  # as when they could not be read: Chroma is asked
        bot._snapshot = dataclasses.replace(bot._snapshot, nearest=None, sentence_vectors={})
        gone = bot.ask("When should I prune roses?")
        assert gone.kind == "no_answer" and gone.text.startswith(unavailable)
        assert bot.ask("I want to kill myself").kind == "crisis"
        server.start()  # the same folder and port: the index is still there
        back = bot.ask("When should I prune roses?")
        assert back.kind == "answer" and back.sources[0].section
    finally:
        server.stop()
