"""Stored conversations: nothing by default; opt-in, retention and purge when asked for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from kapbot.bot import Bot
from kapbot.settings import Settings
from kapbot.storage.history import DAY, History

from .conftest import ROOT, FakeEmbedder


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


def test_nothing_is_stored_by_default(tiny_bot: Bot) -> None:
    tiny_bot.ask("my name is Zanzibar, when should I prune roses?")
    assert tiny_bot.history is None
    data = tiny_bot.settings.data_dir
    assert "conversations.sqlite3" not in _files(data)
    for path in data.rglob("*"):
        if path.is_file():
            assert b"Zanzibar" not in path.read_bytes(), path


def test_opt_in_stores_clean_text_and_kind(tiny_settings: Settings,
                                           fake_embedder: FakeEmbedder) -> None:
    bot = Bot(tiny_settings.replace(store_conversations=True), embedder=fake_embedder)
    bot.prepare()
    bot.ask("<b>When should I prune roses?</b>")
    bot.ask("I want to kill myself")
    assert bot.history is not None and bot.history.count() == 2
    import sqlite3

    rows = sqlite3.connect(bot.history.path).execute(
        "SELECT question, kind, sources FROM messages ORDER BY id").fetchall()
    assert rows[0][0] == "When should I prune roses?" and rows[0][1] == "answer"
    assert "When should I prune roses?" in rows[0][2]
    assert rows[1][1] == "crisis"


def test_retention_and_purge(tmp_path: Path) -> None:
    from kapbot.models import Answer

    history = History(tmp_path / "c.sqlite3", retention_days=30)
    answer = Answer("q", "answer", "t", (), "d", "u")
    now = time.time()
    history.record(answer, now=now - 40 * DAY)
    history.record(answer, now=now - 1 * DAY)
    assert history.purge(now=now) == 1
    assert history.count() == 1
    assert history.purge(everything=True) == 1
    assert history.count() == 0


def test_purge_command(tmp_path: Path) -> None:
    from kapbot.models import Answer

    History(tmp_path / "conversations.sqlite3", 30).record(Answer("q", "answer", "t", (), "d", "u"))
    env = {**os.environ, "KAPBOT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "kapbot.cli", "purge", "--all"], cwd=ROOT,
                         env=env, capture_output=True, text=True, check=True)
    assert "Deleted 1 stored messages (all); 0 remain." in out.stdout
    assert "Storing conversations is off" in out.stdout


def test_feedback_store(tmp_path: Path) -> None:
    import pytest

    from kapbot.storage.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert store.counts() == {"up": 0, "down": 0}
    store.record("up", "answer", ["Article — Integration"])
    store.record("down", "no_answer", [])
    assert store.counts() == {"up": 1, "down": 1}
    with pytest.raises(ValueError, match="rating"):
        store.record("meh", "answer", [])


def _feedback_with_questions(path: Path, ages_in_days: dict[str, float]) -> None:
    """Thumbs stored with the opt-in (question kept), dated ``ages_in_days`` ago."""
    import sqlite3

    from kapbot.storage.feedback import FeedbackStore

    store = FeedbackStore(path)
    for question in ages_in_days:
        store.record("down", "answer", ["a.md#intro"], question=question)
    with sqlite3.connect(path) as conn:
        for question, age in ages_in_days.items():
            conn.execute("UPDATE feedback SET at = ? WHERE question = ?",
                         (time.time() - age * DAY, question))
    conn.close()


def _feedback_questions(path: Path) -> list[str | None]:
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT question FROM feedback ORDER BY id").fetchall()
    conn.close()
    return [q for (q,) in rows]


def test_feedback_questions_are_deleted_after_the_retention_period(tmp_path: Path) -> None:
    from kapbot.storage.feedback import FeedbackStore

    path = tmp_path / "feedback.sqlite3"
    _feedback_with_questions(path, {"was Zanzibar my mistake": 40, "is Quokka ok": 1})
    store = FeedbackStore(path)
    assert store.purge_questions(retention_days=30) == 1
    assert _feedback_questions(path) == [None, "is Quokka ok"]
    assert store.counts() == {"up": 0, "down": 2}  # the ratings stay, without the text
    assert b"Zanzibar" not in path.read_bytes()  # not left in the file's free pages either
    assert store.purge_questions(retention_days=30, everything=True) == 1
    assert b"Quokka" not in path.read_bytes()


def test_start_up_deletes_old_feedback_questions(tiny_settings: Settings,
                                                 fake_embedder: FakeEmbedder) -> None:
    path = tiny_settings.data_dir / "feedback.sqlite3"
    _feedback_with_questions(path, {"was Zanzibar my mistake": 40, "is Quokka ok": 1})
    Bot(tiny_settings.replace(store_conversations=True), embedder=fake_embedder).prepare()
    assert _feedback_questions(path) == [None, "is Quokka ok"]
    assert b"Zanzibar" not in path.read_bytes()


def test_purge_command_deletes_feedback_questions(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    _feedback_with_questions(path, {"was Zanzibar my mistake": 40, "is Quokka ok": 1})
    env = {**os.environ, "KAPBOT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "kapbot.cli", "purge"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    assert "Deleted the question kept with 1 ratings (older than 30 days)." in out.stdout
    assert _feedback_questions(path) == [None, "is Quokka ok"]
    subprocess.run([sys.executable, "-m", "kapbot.cli", "purge", "--all"], cwd=ROOT, env=env,
                   capture_output=True, text=True, check=True)
    assert _feedback_questions(path) == [None, None]
    assert b"Quokka" not in path.read_bytes() and b"Zanzibar" not in path.read_bytes()
