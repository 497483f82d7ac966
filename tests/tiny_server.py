"""A kapbot web server on the tiny garden corpus with the fake embedder, for tests that need
real server processes (uvicorn with ``kapbot serve``'s proxy options) without the model:

    python -m tests.tiny_server PORT FOLDER     (other settings from KAPBOT_* variables)

``tiny_server(folder, **settings)`` runs one for a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from kapbot.bot import Bot
from kapbot.settings import load
from kapbot.web import create_app, proxy_options
from tests.conftest import ROOT, TINY_ABOUT, TINY_ARTICLE, FakeEmbedder
from tests.servers import free_port, wait_for


def main(port: int, folder: Path) -> None:
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "garden.md").write_text(TINY_ARTICLE, encoding="utf-8")
    (corpus / "about.md").write_text(TINY_ABOUT, encoding="utf-8")
    settings = load(config_path=folder / "kapbot.toml", corpus_dir=str(corpus),
                    data_dir=str(folder / "data"), practice_name="Green Thumb Club",
                    therapist_name="Pat Gardener", booking_url="https://green.example.org/book",
                    answer_threshold=0.3, crisis_threshold=1.0)
    bot = Bot(settings, embedder=FakeEmbedder())
    bot.prepare()
    uvicorn.run(create_app(bot), host="127.0.0.1", port=port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=2, **proxy_options(settings))


@contextmanager
def tiny_server(folder: Path, **settings: str) -> Iterator[str]:
    """Start one in a subprocess (``settings``: KAPBOT_* values by setting name); yields its
    base URL; stops it by its PID. Its log is ``folder/server.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           **{f"KAPBOT_{k.upper()}": str(v) for k, v in settings.items()}}
    with (folder / "server.log").open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tests.tiny_server", str(port),
                                 str(folder)], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc, 180)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
