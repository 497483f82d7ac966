"""Flood benchmark for the web surface (issue 10, points 4 and 17): uploads and slow requests.

    .venv/bin/python benchmarks/flood_surface.py [--uploads 20] [--upload-mb 10] [--slow 500]

Starts `kapbot serve` on a free loopback port with a fresh data folder, then
1. posts ``--uploads`` files of ``--upload-mb`` MB to /gradio_api/upload (half from another
   origin): statuses, bytes left in Gradio's folder, server RSS;
2. opens ``--slow`` connections that send half a request and stop: how many the server closes,
   and when; whether /healthz and a crisis message through /api/ask are answered meanwhile.
Writes benchmarks/flood_surface.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_http import free_port, memory_mb

ROOT = Path(__file__).resolve().parent.parent
REPORT = Path(__file__).resolve().parent / "flood_surface.md"
ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
       "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false",
       "KAPBOT_RATE_LIMIT_PER_MINUTE": "20"}


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
    except OSError:
        return 0  # the server answered before reading the whole body, and closed


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(900):
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def uploads(base: str, count: int, megabytes: int) -> list[int]:
    payload = os.urandom(1024) * (megabytes * 1024)
    boundary = "floodboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() \
        + payload + f"\r\n--{boundary}--\r\n".encode()
    statuses = []
    for i in range(count):
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if i % 2:
            headers["Origin"] = "http://evil.example"
        statuses.append(_post(base + "/gradio_api/upload", form, headers))
    return statuses


def slow(port: int, count: int, wait: float) -> tuple[list[float], float, int, int]:
    """(seconds until each connection was closed, seconds to open them all, healthz status,
    crisis reply status) while they are held."""
    half = [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500\r\n\r\n{\"question\": \""]
    start = time.time()
    socks = []
    for i in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(half[i % 2])
            sock.setblocking(False)
            socks.append(sock)
        except OSError:
            break
    opened = time.time() - start
    base = f"http://127.0.0.1:{port}"
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=30) as resp:
            health = int(resp.status)
    except OSError:
        health = 0
    crisis = _post(base + "/api/ask", json.dumps({"question": "I want to end my life"}).encode(),
                   {"Content-Type": "application/json"})
    closed: list[float] = []
    pending = list(socks)
    while pending and time.time() - start < wait:
        still = []
        for sock in pending:
            try:
                data = sock.recv(65536)
                if data == b"":
                    closed.append(time.time() - start)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                closed.append(time.time() - start)
                continue
            still.append(sock)
        pending = still
        time.sleep(0.1)
    for sock in socks:
        sock.close()
    return closed, opened, health, crisis


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--upload-mb", type=int, default=10)
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--wait", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        port = free_port()
        env = {**os.environ, **ENV, "KAPBOT_DATA_DIR": str(data)}
        with (Path(tmp) / "server.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "kapbot.cli", "serve", "--port",
                                     str(port)], cwd=ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base + "/healthz", proc)
            rss_start = memory_mb(proc.pid)[1]
            statuses = uploads(base, args.uploads, args.upload_mb)
            kept = sum(p.stat().st_size for p in data.rglob("*")
                       if p.is_file() and "gradio-cache" in p.parts)
            rss_uploads = memory_mb(proc.pid)
            closed, opened, health, crisis = slow(port, args.slow, args.wait)
            peak, rss_end = memory_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        log_lines = (Path(tmp) / "server.log").read_text(errors="replace").splitlines()
    after_start = log_lines[next(
        (i for i, line in enumerate(log_lines) if "Serving the chat" in line), 0) + 1:]
    longest = max((len(line) for line in after_start), default=0)
    by_status = {s: statuses.count(s) for s in sorted(set(statuses))}
    lines = [
        "# Web surface flood (issue 10, points 4 and 17)", "",
        f"`benchmarks/flood_surface.py --uploads {args.uploads} --upload-mb {args.upload_mb} "
        f"--slow {args.slow}` on {time.strftime('%Y-%m-%d')}, one `kapbot serve` on 127.0.0.1.",
        "", "| Measure | Value |", "|---|---|",
        f"| Uploads posted ({args.upload_mb} MB each, half from another origin) | "
        f"{args.uploads}: statuses {by_status} (0: refused and closed before the body was "
        "read) |",
        f"| Bytes left in Gradio's folder (`data/gradio-cache`) | {kept} |",
        f"| Server RSS before / after the uploads (MB) | {rss_start:.0f} / {rss_uploads[1]:.0f} |",
        f"| Half-sent requests held open | {args.slow} (opened in {opened:.1f} s) |",
        f"| Closed by the server within {args.wait:.0f} s | {len(closed)} |",
        f"| Last one closed after (s) | {max(closed) if closed else float('nan'):.1f} |",
        f"| `/healthz` while they were held | {health} |",
        f"| Crisis message to `/api/ask` while they were held | {crisis} |",
        f"| Server RSS at the end, peak (MB) | {rss_end:.0f}, {peak:.0f} |",
        f"| Server log after start-up: lines, longest line (characters) | "
        f"{len(after_start)}, {longest} |", "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print("\n".join(after_start[:40]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
