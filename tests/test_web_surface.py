"""The web surface as an outside probe sees it (issue 10, points 3, 4, 9, 12-17): a real
`kapbot serve` on a free loopback port, raw HTTP requests, its log file."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kapbot.web.app import REQUEST_TIMEOUT

from .conftest import ROOT
from .servers import free_port, wait_for

pytestmark = pytest.mark.slow


class Server:
    def __init__(self, port: int, data: Path, proc: subprocess.Popen[bytes]) -> None:
        self.port, self.data, self.proc = port, data, proc
        self.log = data / "server.log"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def log_size(self) -> int:
        time.sleep(0.5)  # let the server's log lines reach the file
        return self.log.stat().st_size


def _start(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    data = tmp / "data"
    leftover = data / "gradio-cache" / "old-upload" / "leftover.txt"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("uploaded before a restart", encoding="utf-8")
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kapbot.cli", "serve", "--port", str(port), *args], cwd=ROOT,
        env={**os.environ, "KAPBOT_DATA_DIR": str(data), "KAPBOT_RATE_LIMIT_PER_MINUTE": "1000",
             **(env or {})},
        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_for(f"http://127.0.0.1:{port}/healthz", proc)
    return Server(port, data, proc)


def _stop(server: Server) -> None:
    server.proc.terminate()
    server.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start(tmp_path_factory.mktemp("surface"))
    try:
        yield running
    finally:
        _stop(running)


def _json(body: bytes) -> dict[str, object]:
    data = json.loads(body)
    assert isinstance(data, dict)
    return data


# 3. Run history ---------------------------------------------------------------------------

def test_run_history_is_off(server: Server) -> None:
    status, _, body = server.request("GET", "/config")
    assert status == 200 and _json(body).get("run_history") is False
    status, _, body = server.request("GET", "/gradio_api/runs")
    assert status == 404 and b"<html" not in body.lower()


# 4. Uploads ----------------------------------------------------------------------------------

def test_uploads_are_refused_and_the_cache_is_cleaned(server: Server) -> None:
    boundary = "kapbotboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.bin\""
            f"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + b"x" * 100_000 + \
        f"\r\n--{boundary}--\r\n".encode()
    for origin in ({}, {"Origin": "http://evil.example"}):
        status, _, body = server.request(
            "POST", "/gradio_api/upload", form,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", **origin})
        assert status in (403, 404), body[:200]
        assert b"a.bin" not in body
    assert server.request("GET", "/gradio_api/upload_progress?upload_id=x")[0] in (403, 404)
    config = _json(server.request("GET", "/config")[2])
    assert isinstance(config.get("max_file_size"), int)
    cache = server.data / "gradio-cache"
    assert not (cache / "old-upload").exists()  # what an older run left is gone at start-up
    assert not [p for p in cache.rglob("*") if p.is_file()]


# 9. Errors: a kind reply or a clean 4xx, and one short log line ---------------------------

def test_deeply_nested_json_gets_a_kind_reply(server: Server) -> None:
    before = server.log_size()
    body = b'{"question": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    for deep in (body, b"[" * 100_000 + b"]" * 100_000):
        status, _, reply = server.request("POST", "/api/ask", deep,
                                          {"Content-Type": "application/json"})
        assert status < 500, reply[:200]
        assert _json(reply)["kind"] == "invalid"
    grown = server.log.read_bytes()[before:]
    assert len(grown) < 600 and b"Traceback" not in grown, grown[:600]


def test_unknown_gradio_functions_are_a_clean_404(server: Server) -> None:
    before = server.log_size()
    status, headers, body = server.request("POST", "/gradio_api/call/nothing", b'{"data": []}',
                                           {"Content-Type": "application/json"})
    assert status == 404 and headers["content-type"].startswith("application/json"), body[:200]
    server.request("GET", "/gradio_api/call/nothing/abc")
    grown = server.log.read_bytes()[before:]
    assert b"Traceback" not in grown, grown[:600]
    assert all(len(line) <= 300 for line in grown.splitlines()), grown[:600]
    assert len(grown.splitlines()) <= 2


# 12. HEAD -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/healthz", "/safety", "/widget.js", "/"])
def test_head_answers_like_get(server: Server, path: str) -> None:
    status, headers, body = server.request("HEAD", path)
    assert status == 200 and body == b""
    _, got, page = server.request("GET", path)
    assert headers["content-type"] == got["content-type"]
    assert int(headers["content-length"]) == len(page)


# 13. Only JSON is read at /api/ask -------------------------------------------------------------

@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded",
                                  "multipart/form-data; boundary=x", None])
def test_api_ask_reads_only_json(server: Server, kind: str | None) -> None:
    headers = {"Content-Type": kind} if kind else {}
    status, _, body = server.request("POST", "/api/ask",
                                     b'{"question": "What is ketamine integration?"}', headers)
    assert status == 415, body[:200]
    assert "What is ketamine integration" not in body.decode()
    status, _, body = server.request(
        "POST", "/api/ask", b'{"question": "What is ketamine integration?"}',
        {"Content-Type": "application/json; charset=utf-8"})
    assert status == 200 and _json(body)["kind"] == "answer"


# 14. Nothing external in the page; forwarded headers ignored ------------------------------------

def test_chat_page_names_the_practice_and_references_nothing_external(server: Server) -> None:
    status, _, body = server.request("GET", "/")
    page = body.decode()
    assert status == 200
    hosts = set(re.findall(r"https?://([^/\"'\s\\<>]+)", page))
    allowed = {f"127.0.0.1:{server.port}", "example.com"}  # the app, the booking link's host
    assert hosts <= allowed, hosts - allowed
    assert "@Gradio" not in page and "@teamGradio" not in page
    assert re.search(r'<meta property="og:title" content="[^"]*Dana Nassau', page)


def test_forwarded_host_is_ignored_by_default(server: Server) -> None:
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
              "X-Gradio-Server": "http://evil.example", "Forwarded": "host=evil.example"}
    for path in ("/config", "/"):
        body = server.request("GET", path, headers=forged)[2]
        assert b"evil.example" not in body
    root = _json(server.request("GET", "/config", headers=forged)[2])["root"]
    assert root == f"http://127.0.0.1:{server.port}"


# 15. nosniff everywhere; API docs and monitoring hidden -----------------------------------------

@pytest.mark.parametrize("method,path", [("GET", "/healthz"), ("GET", "/widget.js"),
                                         ("GET", "/config"), ("POST", "/api/ask"),
                                         ("GET", "/no-such-page"), ("GET", "/")])
def test_every_response_says_nosniff(server: Server, method: str, path: str) -> None:
    body = b'{"question": "hello"}' if method == "POST" else None
    _, headers, _ = server.request(method, path, body, {"Content-Type": "application/json"})
    assert headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("path", ["/openapi.json", "/gradio_api/openapi.json", "/docs",
                                  "/monitoring", "/monitoring/summary"])
def test_api_docs_and_monitoring_are_hidden(server: Server, path: str) -> None:
    status, _, body = server.request("GET", path)
    assert status == 404, body[:200]


# 16. Review mode answers only to a loopback Host ---------------------------------------------

def test_review_mode_refuses_other_hosts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    review = _start(tmp_path, "--review", env={"KAPBOT_CORPUS_DIR": str(corpus),
                                               "KAPBOT_EXPOSE_API_DOCS": "true"})
    try:
        for host in ("evil.example", f"evil.example:{review.port}", "127.0.0.1.evil.example",
                     "localhost.evil.example:80"):
            status, _, _ = review.request("GET", "/", headers={"Host": host})
            assert status in (400, 403), (host, status)
            status, _, _ = review.request("POST", "/gradio_api/queue/join", b"{}",
                                          {"Host": host, "Content-Type": "application/json"})
            assert status in (400, 403), (host, status)
        for host in (f"127.0.0.1:{review.port}", f"localhost:{review.port}", "localhost"):
            assert review.request("GET", "/", headers={"Host": host})[0] == 200, host
        # the setting shows the API description again, for a developer who wants it
        assert review.request("GET", "/gradio_api/openapi.json")[0] == 200
    finally:
        _stop(review)


# 17. Slow requests are closed -----------------------------------------------------------------

def test_partial_requests_are_closed(server: Server) -> None:
    partial = [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
               b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Content-Length: 200\r\n\r\n{\"question\": \"wh"]
    before = server.log_size()
    socks = []
    for i in range(40):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(partial[i % 2])
        socks.append(sock)
    deadline = time.time() + REQUEST_TIMEOUT + 30
    open_ = list(socks)
    while open_ and time.time() < deadline:
        still = []
        for sock in open_:
            sock.settimeout(0.2)
            try:
                if sock.recv(65536) == b"":
                    continue  # closed by the server
            except TimeoutError:
                pass
            except OSError:
                continue  # reset by the server
            still.append(sock)
        open_ = still
    for sock in socks:
        sock.close()
    assert not open_, f"{len(open_)} of {len(socks)} partial requests still open"
    assert server.request("GET", "/healthz")[0] == 200
    grown = server.log.read_bytes()[before:]
    assert len(grown.splitlines()) <= 3, grown[:600]  # cutting a slow client is not an error
