"""A damaged or missing index, as the person running kapbot meets it: real processes, the real
model, real Chroma, on the small garden corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, TINY_ABOUT, TINY_ARTICLE
from .servers import ChromaServer, free_port
from .test_index_recovery import damage_middle, evidence

pytestmark = [pytest.mark.slow, pytest.mark.model]

QUESTION = "When should I prune roses?"


def run(*args: str, data_dir: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data_dir), "KAPBOT_CORPUS_DIR": str(corpus)}
    return subprocess.run([sys.executable, "-m", "kapbot.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The garden corpus and a data folder with its index and the ONNX model, built once."""
    root = tmp_path_factory.mktemp("garden")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "garden.md").write_text(TINY_ARTICLE, encoding="utf-8")
    (corpus / "about.md").write_text(TINY_ABOUT, encoding="utf-8")
    done = run("index", data_dir=root / "data", corpus=corpus)
    assert done.returncode == 0, done.stderr
    return corpus, root / "data"


def copy_of(built: tuple[Path, Path], tmp_path: Path, index: bool = True) -> Path:
    data = tmp_path / "data"
    shutil.copytree(built[1], data, ignore=None if index else shutil.ignore_patterns("chroma"))
    return data


def get(url: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture
def serve(built: tuple[Path, Path]) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(data: Path, **env: str) -> str:
        port = free_port()
        log = (data.parent / f"serve-{port}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "KAPBOT_DATA_DIR": str(data), "KAPBOT_CORPUS_DIR": str(built[0]),
                 **env})
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # up: /healthz answers, whatever its status
            assert proc.poll() is None, (data.parent / f"serve-{port}.log").read_text()
            try:
                get(base + "/healthz")
                return base
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not start")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(30)


def wait_healthy(base: str, seconds: float = 180) -> tuple[int, dict[str, object]]:
    deadline = time.monotonic() + seconds
    while True:
        status, body = get(base + "/healthz")
        if status == 200 or time.monotonic() > deadline:
            return status, body
        time.sleep(0.3)


# -- point 5 -----------------------------------------------------------------------------------
def test_index_force_recovers_a_damaged_index(built: tuple[Path, Path], tmp_path: Path) -> None:
    data = copy_of(built, tmp_path)
    damage_middle(data / "chroma" / "chroma.sqlite3")
    done = run("index", "--force", data_dir=data, corpus=built[0])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("Index rebuilt (the index was damaged")
    assert len(done.stdout.splitlines()) == 1
    assert [p.name.startswith("chroma.broken-") for p in evidence(data)] == [True]
    asked = run("ask", "--json", QUESTION, data_dir=data, corpus=built[0])
    assert json.loads(asked.stdout)["kind"] == "answer"


def test_a_server_on_a_damaged_index_recovers_at_start(
    built: tuple[Path, Path], tmp_path: Path, serve: object
) -> None:
    data = copy_of(built, tmp_path)
    damage_middle(data / "chroma" / "chroma.sqlite3")
    base = serve(data)  # type: ignore[operator]
    status, answer = get(base + "/api/ask", {"question": QUESTION})
    assert (status, answer["kind"]) == (200, "answer")
    status, health = get(base + "/healthz")
    assert status == 200 and health["status"] == "ok" and health["chunks"] == 13
    assert len(evidence(data)) == 1
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "is damaged" in log and "Traceback" not in log


# -- points 5 and 19: /healthz says 503 until an index answers; it is built in the background ----
def test_healthz_is_503_until_the_index_answers(
    built: tuple[Path, Path], tmp_path: Path, serve: object
) -> None:
    chroma = ChromaServer(tmp_path / "chroma-db")  # not started: the store is down at start-up
    data = copy_of(built, tmp_path, index=False)
    base = serve(data, KAPBOT_CHROMA_URL=chroma.url)  # type: ignore[operator]
    status, health = get(base + "/healthz")
    assert status == 503 and health["status"] != "ok" and health["chunks"] == 0
    status, polite = get(base + "/api/ask", {"question": QUESTION})
    assert status == 200 and polite["kind"] == "no_answer"
    try:
        chroma.start()  # no visitor asks (a load balancer sends none to a 503): it recovers
        assert wait_healthy(base)[0] == 200
        assert get(base + "/api/ask", {"question": QUESTION})[1]["kind"] == "answer"
    finally:
        chroma.stop()


def test_a_question_never_loads_torch_on_its_own_thread(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    data = copy_of(built, tmp_path, index=False)  # the index is not there
    cache = tmp_path / "cache"  # no index vectors: the build must load the model; the ONNX
    for part in ("onnx", "safety"):  # model is there, and the screen's features (no need to
        shared = Path(os.environ["KAPBOT_CACHE_DIR"]) / part  # embed its training data again)
        if shared.is_dir():
            shutil.copytree(shared, cache / part)
    code = f"""
import json, sys, threading
loaded = {{}}
def hook(event, args):
    if event == "import" and args[0] in ("torch", "sentence_transformers"):
        loaded.setdefault(args[0], threading.current_thread().name)
sys.addaudithook(hook)
from kapbot.bot import Bot
from pathlib import Path
from kapbot.settings import load
bot = Bot(load(config_path=Path({str(ROOT / "kapbot.toml")!r}), environ={{}},
               data_dir={str(data)!r}, corpus_dir={str(built[0])!r}, cache_dir={str(cache)!r}))
first = bot.ask({QUESTION!r})
on_request = dict(loaded)
crisis = bot.ask("I want to kill myself")
build = getattr(bot, "prepare_in_background", None)  # (c9a9c39 built on this thread)
if build is not None:
    build().join(300)
second = bot.ask({QUESTION!r})
print(json.dumps({{"first": first.reason, "on_request": on_request, "loaded": loaded,
                  "crisis": crisis.kind, "second": second.kind}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "KAPBOT_CORPUS_DIR": str(built[0])})
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["first"] == "starting"
    assert "MainThread" not in result["on_request"].values()
    assert result["crisis"] == "crisis"
    assert result["loaded"].get("torch") == "kapbot-index"  # built, on the build thread
    assert result["second"] == "answer"
