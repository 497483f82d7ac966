"""A damaged local index, an index not built yet, and the evidence kept: real Chroma, real files.

The damage is the probe's: random bytes written into the middle of ``chroma.sqlite3`` (over the
pages of some of Chroma's tables; the header and the schema stay readable, so the store opens and
then fails on reading: on c9a9c39, ``/healthz`` said "starting" and every question "can't look up").
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from kapbot import wording
from kapbot.bot import Bot
from kapbot.models import Answer
from kapbot.settings import Settings

from .conftest import FakeEmbedder


def damage_middle(db: Path, tables: tuple[str, ...] = ("embedding_metadata", "max_seq_id"),
                  seed: int = 10) -> bytes:
    """Random bytes over the first page of each of Chroma's ``tables``; the file's change counter
    moves on, so a process that has the file open reads the pages again. The bytes written."""
    with closing(sqlite3.connect(db)) as con:
        page = con.execute("PRAGMA page_size").fetchone()[0]
        roots = [r for name, r in con.execute("SELECT name, rootpage FROM sqlite_master")
                 if name in tables]
    rng = random.Random(seed)
    written = b""
    with db.open("r+b") as file:
        for root in roots:
            file.seek((root - 1) * page)
            written += (noise := rng.randbytes(page))
            file.write(noise)
        file.seek(24)  # the header's file change counter
        counter = int.from_bytes(file.read(4), "big")
        file.seek(24)
        file.write((counter + 1).to_bytes(4, "big"))
    return written


def new_process(path: Path) -> None:
    """Forget Chroma's cached client for ``path``, as a new process would start."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


def evidence(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("chroma.broken*"))


def answers_again(bot: Bot, question: str, seconds: float = 120) -> bool:
    """Whether ``bot`` answers ``question`` again within ``seconds`` (a wait, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if bot.ask(question).kind == "answer":
            return True
        time.sleep(0.2)
    return False


def ask_in_thread(bot: Bot, question: str, seconds: float = 60) -> Answer | None:
    """``bot.ask`` on a thread of its own (as a web request is); None if it is still waiting
    after ``seconds`` (a wait, not a timing)."""
    replies: list[Answer] = []
    asking = threading.Thread(target=lambda: replies.append(bot.ask(question)), daemon=True)
    asking.start()
    asking.join(seconds)
    return replies[0] if replies else None


class RecordingEmbedder(FakeEmbedder):
    """The index embedder: records the threads it embeds on (a real one would load torch)."""

    name = "recording-bag-of-words-64"

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.threads.add(threading.current_thread().name)
        return super().embed(texts)


# -- point 5: a damaged chroma.sqlite3 -------------------------------------------------------------
def test_damaged_index_is_moved_aside_and_rebuilt_at_start(
    tiny_settings: Settings, fake_embedder: FakeEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    Bot(tiny_settings, embedder=fake_embedder).prepare()
    chroma = tiny_settings.data_dir / "chroma"
    new_process(chroma)
    noise = damage_middle(chroma / "chroma.sqlite3")
    with caplog.at_level(logging.WARNING):
        bot = Bot(tiny_settings, embedder=fake_embedder)
        report = bot.prepare()
    assert report.rebuilt and report.reason.startswith("the index was damaged")
    [kept] = evidence(tiny_settings.data_dir)
    assert noise[:4096] in (kept / "chroma.sqlite3").read_bytes()  # the evidence, as it was
    assert any("is damaged" in r.getMessage() and str(kept) in r.getMessage()
               for r in caplog.records)
    assert bot.state == "ok" and bot.ask("When should I prune roses?").kind == "answer"


def test_damage_under_a_running_bot_does_not_reach_visitors(
    tiny_settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    bot = Bot(tiny_settings, embedder=fake_embedder)
    bot.prepare()
    before = bot.ask("When should I prune roses?")
    damage_middle(tiny_settings.data_dir / "chroma" / "chroma.sqlite3", ("collections", "segments"))
    after = bot.ask("When should I prune roses?")  # searched in memory: the store is not read
    assert after.kind == "answer" and after.text == before.text


def test_damage_found_by_a_question_is_rebuilt_in_the_background(
    tiny_settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    bot = Bot(tiny_settings, embedder=fake_embedder)
    bot.prepare()
    # as when the vectors could not be read into memory at load: each question asks Chroma
    bot._snapshot = dataclasses.replace(bot._snapshot, nearest=None)
    assert bot.ask("When should I prune roses?").kind == "answer"
    # under a running bot: the tables it reads on each question (the others are cached)
    damage_middle(tiny_settings.data_dir / "chroma" / "chroma.sqlite3", ("collections", "segments"))
    polite = bot.ask("When should I prune roses?")
    unavailable = wording.UNAVAILABLE.format(therapist=tiny_settings.therapist_name)
    assert polite.kind == "no_answer" and polite.text.startswith(unavailable)
    assert bot.ask("I want to kill myself").kind == "crisis"
    assert answers_again(bot, "When should I prune roses?")  # rebuilt, not on this thread
    assert polite.reason == "damaged" and len(evidence(tiny_settings.data_dir)) == 1


# -- point 19: no index is ever built on a visitor's request -------------------------------------
def test_a_question_before_the_index_is_ready_is_answered_politely_and_builds_elsewhere(
    tiny_settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    indexer = RecordingEmbedder()
    bot = Bot(tiny_settings, embedder=fake_embedder, index_embedder=indexer)
    with bot._lock:  # the build that the question starts waits here until the checks are done
        first = ask_in_thread(bot, "When should I prune roses?")
        assert first is not None, "the question waited for the index to be built"
        unavailable = wording.UNAVAILABLE.format(therapist=tiny_settings.therapist_name)
        assert first.kind == "no_answer" and first.text.startswith(unavailable)
        assert first.reason == "starting" and bot.state == "starting"
        builder = bot.prepare_in_background()
        assert builder.is_alive() and bot.prepare_in_background() is builder  # one at a time
        assert bot.ask("I want to kill myself").kind == "crisis"  # the screen needs no index
        assert bot.ask("When should I prune roses?").reason == "starting"
    builder.join(120)
    assert indexer.threads == {"kapbot-index"}  # never on the asking thread
    assert bot.state == "ok" and bot.ask("When should I prune roses?").kind == "answer"


# -- point 20: the evidence is kept, and pruned by age ------------------------------------------
def test_each_damaged_index_is_kept_as_evidence(
    tiny_settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    chroma = tiny_settings.data_dir / "chroma"
    for damage in (b"garbage" * 100, b"more garbage" * 100):  # opening fails: a connect error
        Bot(tiny_settings, embedder=fake_embedder).prepare()
        new_process(chroma)
        (chroma / "chroma.sqlite3").write_bytes(damage)
        time.sleep(1.1)  # evidence folders are named by the second
        Bot(tiny_settings, embedder=fake_embedder).prepare()
    kept = evidence(tiny_settings.data_dir)
    assert [(k / "chroma.sqlite3").read_bytes()[:12] for k in kept] == [b"garbagegarba",
                                                                         b"more garbage"]


def test_old_evidence_is_pruned_by_age_and_count(tmp_path: Path) -> None:
    from kapbot.index.evidence import prune_broken

    chroma = tmp_path / "chroma"
    now = time.time()
    ages = {"chroma.broken": 90, "chroma.broken-a": 40, "chroma.broken-b": 29,
            "chroma.broken-c": 2, "chroma.broken-d": 1}
    for name, days in ages.items():
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (now - days * 86400, now - days * 86400))
    (tmp_path / "chroma.broken-notes.txt").write_text("not a folder: never touched")
    gone = prune_broken(chroma, keep_days=30, keep=5, now=now)
    assert sorted(p.name for p in gone) == ["chroma.broken", "chroma.broken-a"]
    assert sorted(p.name for p in evidence(tmp_path)) == [
        "chroma.broken-b", "chroma.broken-c", "chroma.broken-d", "chroma.broken-notes.txt"]
    assert [p.name for p in prune_broken(chroma, keep_days=30, keep=2, now=now)] == [
        "chroma.broken-b"]
    only = prune_broken(chroma, keep_days=0, keep=5, now=now + 365 * 86400)
    assert [p.name for p in only] == ["chroma.broken-c"]  # the newest always stays
    assert (tmp_path / "chroma.broken-d").is_dir()
