"""What kapbot keeps is readable by its own user only: data folder 700, files 600 from creation."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kapbot.models import Answer
from kapbot.settings import Settings
from kapbot.storage.feedback import FeedbackStore
from kapbot.storage.gaps import GapLog
from kapbot.storage.history import History
from kapbot.web.app import ADMIN_TOKEN_FILE, admin_token

from .conftest import ROOT
from .servers import free_port, wait_for


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A usual shell's umask (022): without care, files are made 644 and folders 755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, str]:
    """Every folder and file under ``folder`` (itself included) readable beyond its owner."""
    paths = [folder, *folder.rglob("*")]
    return {str(p.relative_to(folder)): oct(stat.S_IMODE(p.stat().st_mode)) for p in paths
            if stat.S_IMODE(p.stat().st_mode) & 0o077}


def test_stores_are_private_from_creation(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    History(data / "conversations.sqlite3", 30).record(Answer("q", "answer", "t", (), "d", "u"))
    FeedbackStore(data / "feedback.sqlite3").record("down", "answer", [], question="q")
    GapLog(data / "gaps.sqlite3").record("down", "a known question", "a.md#intro")
    assert sorted(p.name for p in data.iterdir()) == [
        "conversations.sqlite3", "feedback.sqlite3", "gaps.sqlite3"]
    assert _modes(data) == {}


def test_a_store_left_readable_by_an_older_version_is_tightened(tmp_path: Path,
                                                                 loose_umask: None) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).record("up", "answer", [])
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    assert FeedbackStore(path).counts() == {"up": 1, "down": 0}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_admin_token_is_private_and_new(tmp_path: Path, loose_umask: None) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir(mode=0o700)
    old = settings.data_dir / ADMIN_TOKEN_FILE
    old.write_text("an old token", encoding="utf-8")
    old.chmod(0o644)
    token = admin_token(settings)
    assert old.read_text(encoding="utf-8") == token != "an old token"
    assert _modes(settings.data_dir) == {}
    fresh = Settings(data_dir=tmp_path / "fresh")
    admin_token(fresh)
    assert _modes(fresh.data_dir) == {}


@pytest.mark.slow
def test_serve_keeps_every_file_it_makes_private(tmp_path: Path, loose_umask: None) -> None:
    """A real `kapbot serve` from a shell with umask 022, storing conversations: the index, the
    model export, the stored conversations, the gaps log and the token are all owner-only."""
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "KAPBOT_PORT": str(port),
           "KAPBOT_STORE_CONVERSATIONS": "true", "KAPBOT_RATE_LIMIT_PER_MINUTE": "0"}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "kapbot.cli", "serve"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
        for question in ("what happens in a ketamine session",
                         "do you have reviews or testimonials from past clients"):
            request = urllib.request.Request(
                base + "/api/ask", data=json.dumps({"question": question}).encode(),
                headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                assert json.loads(response.read())["kind"] in ("answer", "no_answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    names = {p.name for p in data.iterdir()}
    assert {"chroma", "conversations.sqlite3", ADMIN_TOKEN_FILE} <= names, names
    assert _modes(data) == {}
