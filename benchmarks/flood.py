"""Flood check (not a unit test): a real `kapbot serve` on loopback, flooded five ways.

    .venv/bin/python benchmarks/flood.py [--chat 600] [--root DIR --label before]

Starts its own server (free loopback port, a temp copy of data/, or a fresh index when there is
none) and stops it by its PID. (a) long messages: 2,000-character messages of many short
sentences, 20 at a time, to /api/ask and through the chat's queue, with the server's RSS peak and
RSS after; (b) queue joins: hundreds of unread joins from several loopback addresses, then crisis
messages through the chat and /api/ask; (c) uploads to /gradio_api/upload; (d) thumbs on one
reply; (e) the time of a rate-limited reply. Each visitor is a loopback address (127.0.0.N), so
the per-visitor limits apply as they would to real visitors. Writes benchmarks/flood-LABEL.json
and benchmarks/flood.md (with the `before` run beside this one when its JSON is there).
``--root``: the checkout to serve (e.g. a `git worktree` of an older commit, for "before").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
CRISIS = "I want to kill myself"
WORDS = ("I feel tired today and the sky is grey but we will see what happens next week at the "
         "office with my sister").split()


def long_message(seed: int) -> str:
    rng, out = random.Random(seed), list[str]()
    while len(" ".join(out)) < 1990:
        out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
                   + ".")
    return " ".join(out)[:2000]


class Server:
    def __init__(self, root: Path, data: Path) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.data, self.tmp = data, data.parent / "gradio-tmp"
        env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "PYTHONPATH": str(root),
               "GRADIO_TEMP_DIR": str(self.tmp), "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}
        self.log = (data.parent / "server.log").open("w")
        self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port)],
                                     cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited: see {self.log.name}")
            try:
                if httpx.get(self.base + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        config = httpx.get(self.base + "/config", timeout=30).json()
        self.fn = {d.get("api_name"): d["id"] for d in config["dependencies"]}

    def rss(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Peak:
    """The server's highest RSS while a flood runs."""

    def __init__(self, server: Server) -> None:
        self.server, self.peak, self._stop = server, server.rss(), threading.Event()
        self.start = self.peak
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.server.rss())

    def done(self, settle: float = 5.0) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        time.sleep(settle)
        return {"rss_start_mb": round(self.start), "rss_peak_mb": round(self.peak),
                "rss_after_mb": round(self.server.rss())}


def client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=600)


def address(n: int) -> str:
    return f"127.0.{1 + n // 250}.{2 + n % 250}"


def join(http: httpx.Client, server: Server, fn: str, data: list[Any], session: str = "",
         event_data: Any = None) -> tuple[str, httpx.Response]:
    session = session or uuid.uuid4().hex[:12]
    body = {"data": data, "fn_index": server.fn[fn], "trigger_id": None,
            "session_hash": session, "event_data": event_data}
    return session, http.post(server.base + "/gradio_api/queue/join", json=body)


def result(http: httpx.Client, server: Server, session: str) -> Any:
    with http.stream("GET", server.base + "/gradio_api/queue/data",
                     params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message.get("output", {}).get("data")
    return None


def chat(server: Server, n: int, message: str) -> str:
    """One message through the chat's queue, as the page sends it; the reply's text."""
    with client(address(n)) as http:
        session, response = join(http, server, "respond", [message, [], None, None])
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        data = result(http, server, session)
        return json.dumps(data[1][-1]["content"]) if data else "no reply"


def long_flood(server: Server, api: int, chats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    peak = Peak(server)
    started = time.perf_counter()

    def ask(n: int) -> int:
        with client(address(n)) as http:
            return http.post(server.base + "/api/ask",
                             json={"question": long_message(n)}).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(ask, range(api)))
    out["api"] = {"messages": api, "ok": statuses.count(200),
                  "wall_s": round(time.perf_counter() - started, 1), **peak.done()}
    if chats:
        peak = Peak(server)
        started = time.perf_counter()
        with ThreadPoolExecutor(20) as pool:  # 30 visitors, each well under the limits
            replies = list(pool.map(lambda n: chat(server, 1000 + n % 30, long_message(n)),
                                    range(chats)))
        out["chat"] = {"messages": chats, "answered": sum(r.startswith('[{"text"')
                                                          for r in replies),
                       "wall_s": round(time.perf_counter() - started, 1), **peak.done()}
    return out


def join_flood(server: Server, visitors: int, joins: int) -> dict[str, Any]:
    def flood(n: int) -> list[int]:
        with client("127.0.0.1" if n == 0 else address(2000 + n)) as http:
            return [join(http, server, "respond", [f"how long is a session? {i}", [], None,
                                                   None])[1].status_code for i in range(joins)]

    peak = Peak(server)
    with ThreadPoolExecutor(visitors) as pool:
        statuses = [s for run in pool.map(flood, range(visitors)) for s in run]
    started = time.perf_counter()
    with client("127.0.0.1") as http:  # the flood's own address: its limits are spent
        session, joined = join(http, server, "respond", [CRISIS, [], None, None])
        data = result(http, server, session) if joined.status_code == 200 else None
        reply = json.dumps(data[1][-1]["content"]) if data else f"HTTP {joined.status_code}"
        chat_s = time.perf_counter() - started
        asked = http.post(server.base + "/api/ask", json={"question": CRISIS}).json()
    drained = time.perf_counter()
    chat(server, 2999, "how long is a session?")  # queued last: the flood's events are done
    drained_s = time.perf_counter() - drained
    counts = {str(s): statuses.count(s) for s in sorted(set(statuses))}
    return {"joins": len(statuses), "statuses": counts, "crisis_chat": "988" in reply,
            "crisis_chat_s": round(chat_s, 1), "crisis_api": asked.get("kind") == "crisis"
            and "988" in asked.get("text", ""), "drained_s": round(drained_s, 1),
            **peak.done(1)}


def upload_flood(server: Server, n: int, size: int) -> dict[str, Any]:
    def folder_mb() -> float:
        return sum(p.stat().st_size for p in server.tmp.rglob("*") if p.is_file()) / 1e6 \
            if server.tmp.exists() else 0.0

    before, peak = folder_mb(), Peak(server)
    statuses = []
    with client("127.0.0.1") as http:
        for i in range(n):
            files = {"files": (f"f{i}.bin", os.urandom(size), "application/octet-stream")}
            try:
                statuses.append(http.post(server.base + "/gradio_api/upload",
                                          files=files).status_code)
            except httpx.HTTPError:
                statuses.append(0)
    return {"uploads": n, "size_mb": size / 1e6,
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "temp_growth_mb": round(folder_mb() - before, 1), **peak.done(1)}


def thumbs_flood(server: Server, n: int) -> dict[str, Any]:
    path = server.data / "feedback.sqlite3"

    def rows() -> int:
        try:
            with sqlite3.connect(path) as db:
                return int(db.execute("select count(*) from feedback").fetchone()[0])
        except sqlite3.Error:
            return 0

    before = rows()
    statuses = []
    with client(address(3000)) as http:
        session, _ = join(http, server, "respond", ["how long is a session?", [], None, None])
        result(http, server, session)
        for _ in range(n):
            _, response = join(http, server, "on_like", [None], session,
                               {"index": [1, 0], "value": "x", "liked": False})
            statuses.append(response.status_code)
        time.sleep(3)
    return {"thumbs": n, "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "rows_recorded": rows() - before}


def limited_timing(server: Server, n: int) -> dict[str, Any]:
    times, statuses = [], []
    with client(address(4000)) as http:
        for i in range(20 + n):
            started = time.perf_counter()
            response = http.post(server.base + "/api/ask",
                                 json={"question": f"what happens in a session {i}"})
            if i >= 20:
                times.append((time.perf_counter() - started) * 1000)
                statuses.append(response.status_code)
    times.sort()
    return {"requests": n, "status_429": statuses.count(429),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


COST = """
import json, random, sys, time
from kapbot.bot import Bot
from kapbot.settings import load
sys.path.insert(0, sys.argv[1])
from flood import long_message
bot = Bot(load())
bot.screener.ready()
messages = {"many short sentences": long_message(7), "'a. ' x 666": ("a. " * 666)[:2000],
            "400 words, no stop": ("word " * 400)[:2000],
            "one 2,000-letter word": "x" * 2000}
out = {}
for name, message in messages.items():
    bot.screener.check(message)
    started = time.process_time()
    for _ in range(3):
        bot.screener.check(message)
    out[name] = round((time.process_time() - started) / 3, 3)
print(json.dumps(out))
"""


def screen_cost(root: Path, data: Path) -> dict[str, float]:
    """CPU seconds of the crisis screen for one 2,000-character message, in process."""
    done = subprocess.run([sys.executable, "-c", COST, str(HERE)], cwd=root, check=True,
                          capture_output=True, text=True,
                          env={**os.environ, "KAPBOT_DATA_DIR": str(data),
                               "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1",
                               "OMP_NUM_THREADS": "1"})
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def prepare_data(root: Path, tmp: Path) -> Path:
    data = tmp / "data"
    source = HERE.parent / "data"
    if (source / "chroma").is_dir():
        shutil.copytree(source, data, ignore=shutil.ignore_patterns("*.sqlite3-*", "admin-token"))
        for name in ("feedback.sqlite3", "gaps.sqlite3", "conversations.sqlite3"):
            (data / name).unlink(missing_ok=True)
    else:
        subprocess.run([sys.executable, "-m", "kapbot.cli", "index"], cwd=root, check=True,
                       env={**os.environ, "KAPBOT_DATA_DIR": str(data),
                            "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1"})
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent)
    parser.add_argument("--label", default="after")
    parser.add_argument("--api", type=int, default=40)
    parser.add_argument("--chat", type=int, default=600)
    parser.add_argument("--cost-only", action="store_true",
                        help="only the CPU time of screening one long message, added to the "
                        "run's JSON")
    args = parser.parse_args()
    out = HERE / f"flood-{args.label}.json"
    with tempfile.TemporaryDirectory(prefix="kapbot-flood-") as folder:
        data = prepare_data(args.root, Path(folder))
        cost = screen_cost(args.root.resolve(), data)
        print(json.dumps(cost), flush=True)
        if args.cost_only:
            results = {**json.loads(out.read_text()), "cost": cost}
            out.write_text(json.dumps(results, indent=1) + "\n")
            write_report()
            return
        server = Server(args.root.resolve(), data)
        try:
            chat(server, 999, "how long is a session?")  # warm
            results = {"label": args.label, "rss_idle_mb": round(server.rss()), "cost": cost}
            results["long"] = long_flood(server, args.api, args.chat)
            print(json.dumps(results["long"]), flush=True)
            results["joins"] = join_flood(server, 9, 80)
            print(json.dumps(results["joins"]), flush=True)
            results["uploads"] = upload_flood(server, 20, 5_000_000)
            print(json.dumps(results["uploads"]), flush=True)
            results["thumbs"] = thumbs_flood(server, 300)
            print(json.dumps(results["thumbs"]), flush=True)
            results["limited"] = limited_timing(server, 200)
            print(json.dumps(results["limited"]), flush=True)
            results["rss_end_mb"] = round(server.rss())
        finally:
            server.stop()
    out.write_text(json.dumps(results, indent=1) + "\n")
    write_report()


def write_report() -> None:
    runs = [json.loads(p.read_text()) for name in ("before", "after")
            if (p := HERE / f"flood-{name}.json").is_file()]
    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("screening one 2,000-character message, CPU s", lambda r: r["cost"]),
        ("idle RSS, MB", lambda r: r["rss_idle_mb"]),
        ("(a) /api/ask: messages, 20 at a time", lambda r: r["long"]["api"]["messages"]),
        ("(a) /api/ask: wall s", lambda r: r["long"]["api"]["wall_s"]),
        ("(a) /api/ask: RSS peak / after, MB",
         lambda r: f'{r["long"]["api"]["rss_peak_mb"]} / {r["long"]["api"]["rss_after_mb"]}'),
        ("(a) chat: messages, 20 at a time", lambda r: r["long"].get("chat", {}).get("messages")),
        ("(a) chat: answered", lambda r: r["long"].get("chat", {}).get("answered")),
        ("(a) chat: wall s", lambda r: r["long"].get("chat", {}).get("wall_s")),
        ("(a) chat: RSS peak / after, MB", lambda r: f'{r["long"]["chat"]["rss_peak_mb"]} / '
         f'{r["long"]["chat"]["rss_after_mb"]}' if "chat" in r["long"] else "–"),
        ("(b) joins sent (9 addresses x 80)", lambda r: r["joins"]["joins"]),
        ("(b) join statuses", lambda r: r["joins"]["statuses"]),
        ("(b) crisis via chat answered with 988", lambda r: r["joins"]["crisis_chat"]),
        ("(b) crisis via chat: s to the reply", lambda r: r["joins"]["crisis_chat_s"]),
        ("(b) crisis via /api/ask answered with 988", lambda r: r["joins"]["crisis_api"]),
        ("(b) a question queued after them: s to the reply", lambda r: r["joins"]["drained_s"]),
        ("(c) 5 MB uploads: statuses", lambda r: r["uploads"]["statuses"]),
        ("(c) Gradio temp folder growth, MB", lambda r: r["uploads"]["temp_growth_mb"]),
        ("(d) thumbs-down on one reply: statuses", lambda r: r["thumbs"]["statuses"]),
        ("(d) feedback rows recorded", lambda r: r["thumbs"]["rows_recorded"]),
        ("(e) rate-limited /api/ask: 429s of 200", lambda r: r["limited"]["status_429"]),
        ("(e) rate-limited reply p50 / p95, ms",
         lambda r: f'{r["limited"]["p50_ms"]} / {r["limited"]["p95_ms"]}'),
        ("RSS at the end, MB", lambda r: r["rss_end_mb"]),
    ]
    lines = ["# Floods", "", "`.venv/bin/python benchmarks/flood.py` on this 2-core machine "
             "(loopback, one `kapbot serve`; see the script's docstring).", "",
             "| | " + " | ".join(r["label"] for r in runs) + " |",
             "|---|" + "---|" * len(runs)]
    for name, get in rows:
        cells = []
        for run in runs:
            try:
                value = get(run)
            except (KeyError, TypeError):
                value = "–"
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            cells.append(str(value))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    notes = HERE / "flood-notes.md"
    extra = notes.read_text() if notes.is_file() else ""
    (HERE / "flood.md").write_text("\n".join(lines) + "\n" + extra)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
