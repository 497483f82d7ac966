"""Servers and HTTP load for benchmarks/bench.py: start a server process, time its first answer,
load it with concurrent clients (threads, urllib), read its memory from /proc. Loopback only."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def pct(values: Sequence[float], q: int) -> float:
    """The q-th percentile (inclusive method); the value itself for a single sample."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ask_http(url: str, question: str, timeout: float = 60) -> tuple[float, bool]:
    """One POST /api/ask: (seconds, whether it came back 200 with an answer text)."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(url + "/api/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ok = response.status == 200 and bool(json.loads(response.read()).get("text"))
    except (OSError, ValueError):  # refused, reset, timeout, HTTP error status, bad JSON
        ok = False
    return time.perf_counter() - started, ok


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(command: Sequence[str], env: Mapping[str, str], cwd: Path, question: str,
            log: Path, timeout: float = 180) -> Iterator[tuple[int, str, float]]:
    """Start ``command`` (with the port appended) and poll ``question`` until it is answered;
    yield (pid, url, seconds from spawn to the first answer). The server is always stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen([*command, str(port)], env=dict(env), cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        while not ask_http(url, question, timeout=30)[1]:
            if proc.poll() is not None or time.perf_counter() - started > timeout:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{command[:3]} never answered on {url}:\n{tail}")
            time.sleep(0.05)
        yield proc.pid, url, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Load:
    p50: float  # ms
    p95: float  # ms
    rps: float
    errors: int


def http_load(url: str, questions: Sequence[str], clients: int, per_client: int) -> Load:
    """``clients`` threads each asking ``per_client`` questions in turn, as fast as answered."""

    def client(c: int) -> list[tuple[float, bool]]:
        return [ask_http(url, questions[(c * per_client + i) % len(questions)])
                for i in range(per_client)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = [r for run in pool.map(client, range(clients)) for r in run]
    wall = time.perf_counter() - started
    ms = [t * 1000 for t, _ in results]
    return Load(pct(ms, 50), pct(ms, 95), len(results) / wall,
                sum(1 for _, ok in results if not ok))


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of a live process, in MB."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    return int(status["VmHWM"].split()[0]) / 1024, int(status["VmRSS"].split()[0]) / 1024
