"""A kapbot web server on the tiny garden corpus with the fake embedder, for tests that need
real server processes (uvicorn with ``kapbot serve``'s proxy options) without the model:

    python -m tests.tiny_server PORT FOLDER     (other settings from KAPBOT_* variables)

``tiny_server(folder, **settings)`` runs one for a test; ``GradioSession`` drives its chat over
Gradio's queue protocol, as the page does (questions and thumbs).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from kapbot.bot import Bot
from kapbot.settings import load
from kapbot.web.app import create_app, proxy_options
from tests.conftest import ROOT, TINY_ABOUT, TINY_ARTICLE, FakeEmbedder
from tests.servers import FIRST_START, free_port, wait_for


def main(port: int, folder: Path) -> None:
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "garden.md").write_text(TINY_ARTICLE, encoding="utf-8")
    (corpus / "about.md").write_text(TINY_ABOUT, encoding="utf-8")
    settings = load(config_path=folder / "kapbot.toml", corpus_dir=str(corpus),
                    data_dir=str(folder / "data"), practice_name="Green Thumb Club",
                    therapist_name="Pat Gardener", booking_url="https://green.example.org/book",
                    answer_threshold=0.3, urgent_threshold=1.0, concern_threshold=1.0,
                    medical_threshold=1.0, scope_threshold=1.0)
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
        wait_for(base + "/healthz", proc, FIRST_START)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class GradioSession:
    """One browser tab, as Gradio's page drives it: ``queue/join`` then ``queue/data``."""

    def __init__(self, base: str) -> None:
        import httpx

        self.base, self.session = base, secrets.token_hex(6)
        self.http = httpx.Client(timeout=60)
        config = self.http.get(base + "/config").json()
        self.deps = {(t[1], d.get("api_name")): d for d in config["dependencies"]
                     for t in d["targets"]}

    def _join(self, dep: dict[str, Any], data: list[Any], event: Any = None) -> str:
        joined = self.http.post(self.base + "/gradio_api/queue/join", json={
            "data": data, "fn_index": dep["id"], "trigger_id": dep["targets"][0][0],
            "session_hash": self.session, "event_data": event})
        return str(joined.json()["event_id"])

    def _results(self, event_ids: set[str]) -> list[Any]:
        """Read the session's stream until every event in ``event_ids`` has completed."""
        results = []
        with self.http.stream("GET", self.base + "/gradio_api/queue/data",
                              params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed" and \
                        message.get("event_id") in event_ids:
                    assert message["success"], message
                    results.append(message["output"]["data"])
                    event_ids.discard(message["event_id"])
                    if not event_ids:
                        return results
        raise AssertionError(f"{len(event_ids)} events never completed")

    def ask(self, question: str) -> None:
        self._results({self._join(self.deps["submit", "respond"], [question, [], None, None, ""])})

    def rate(self, reply: int, liked: bool | str, times: int = 1) -> None:
        """Click a thumb on the ``reply``-th reply ``times`` times (all queued, then read)."""
        event = {"index": 2 * reply + 1, "value": "", "liked": liked}
        self._results({self._join(self.deps["like", "on_like"], [None], event)
                       for _ in range(times)})


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
