"""Content updates reach a running server without downtime: `kapbot reload` and SIGHUP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import CORPUS, NEW_PAGE, NEW_PAGE_NAME, ROOT
from .servers import free_port, wait_for

pytestmark = pytest.mark.slow

def _ask(base: str, question: str) -> dict:
    request = urllib.request.Request(base + "/api/ask", data=json.dumps(
        {"question": question}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.loads(response.read()))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], int]]:
    root = tmp_path_factory.mktemp("reload")
    shutil.copytree(CORPUS, root / "corpus")
    port = free_port()
    env = {**os.environ, "KAPBOT_DATA_DIR": str(root / "data"), "KAPBOT_CORPUS_DIR":
           str(root / "corpus"), "KAPBOT_PORT": str(port), "KAPBOT_RATE_LIMIT_PER_MINUTE": "0"}
    log = (root / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "kapbot.cli", "serve"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
        yield base, env, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_reload_picks_up_a_new_file_while_visitors_are_answered(
    live: tuple[str, dict[str, str], int]
) -> None:
    base, env, _ = live
    assert _ask(base, "Where do I park?")["kind"] == "no_answer"
    forbidden = urllib.request.Request(base + "/admin/reload", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forbidden, timeout=30)
    assert refused.value.code == 403  # only `kapbot reload`, with the server's token

    corpus = Path(env["KAPBOT_CORPUS_DIR"])
    (corpus / NEW_PAGE_NAME).write_text(NEW_PAGE, encoding="utf-8")
    (corpus / "broken.md").write_text("---\ntitle: [unclosed\n---\n# Broken\n\nText.\n",
                                      encoding="utf-8")
    kinds: list[str] = []
    stop = threading.Event()

    def visitor() -> None:
        while not stop.is_set():
            kinds.append(_ask(base, "What is ketamine integration?")["kind"])

    thread = threading.Thread(target=visitor)
    thread.start()
    try:
        out = subprocess.run([sys.executable, "-m", "kapbot.cli", "reload"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        thread.join(60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("Reloaded: index rebuilt (the corpus or index settings changed)")
    assert "broken.md:2: front matter is not valid YAML" in out.stderr  # named, with its line
    assert len(kinds) >= 3 and set(kinds) == {"answer"}  # answered throughout the rebuild
    parking = _ask(base, "Where do I park?")
    assert parking["kind"] == "answer"
    assert parking["sources"][0]["title"] == "Visiting the office"
    assert _ask(base, "What is ketamine integration?")["kind"] == "answer"  # the rest loaded


def test_sighup_reloads_too(live: tuple[str, dict[str, str], int]) -> None:
    base, env, pid = live
    corpus = Path(env["KAPBOT_CORPUS_DIR"])
    (corpus / NEW_PAGE_NAME).unlink(missing_ok=True)
    os.kill(pid, signal.SIGHUP)
    deadline = time.time() + 120
    while _ask(base, "Where do I park?")["kind"] != "no_answer":
        assert time.time() < deadline, "SIGHUP did not reload"
        time.sleep(0.5)
