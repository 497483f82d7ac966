"""Side-by-side benchmark: kapbot vs the LangChain tutorial stack (benchmarks/tutorial_app.py).

    make bench        # or: .venv/bin/python benchmarks/bench.py [--quick]

Same corpus, same questions, same machine: cold starts (CLI and server), warm latency in process
and over HTTP (1 and N concurrent clients), serving memory, index build time, hit@1 on evals/,
and growth on a synthetic corpus of 10 to 1,000 documents. Prints the tables and writes
benchmarks/results.md. Everything runs offline, on 127.0.0.1, in temporary folders.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench_corpus import write_corpus
from bench_report import Row, render

ROOT = Path(__file__).resolve().parent.parent
KAPBOT = str(Path(sys.executable).parent / "kapbot")
TUTORIAL = str(Path(__file__).resolve().parent / "tutorial_app.py")
RESULTS = Path(__file__).resolve().parent / "results.md"
EVALS = ROOT / "evals" / "questions.jsonl"
ENV = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "KAPBOT_RATE_LIMIT_PER_MINUTE": "0",  # loopback clients would otherwise share 20/min
}
Ask = Callable[[str], str]


@dataclass(frozen=True)
class Config:
    cli_runs: int = 5
    server_runs: int = 3
    passes: int = 2  # in-process passes over the eval questions
    clients: int = 20
    per_client: int = 15
    sizes: tuple[int, ...] = (10, 100, 1000)


QUICK = Config(cli_runs=2, server_runs=1, passes=1, clients=5, per_client=5, sizes=(10, 100))


@dataclass(frozen=True)
class Stack:
    name: str  # "kapbot" or "tutorial"
    data: Path
    corpus: Path = ROOT / "corpus"

    def env(self) -> dict[str, str]:
        env = {**os.environ, **ENV}
        if self.name == "kapbot":
            env.update(KAPBOT_DATA_DIR=str(self.data), KAPBOT_CORPUS_DIR=str(self.corpus))
        return env

    def command(self, action: str, *args: str) -> list[str]:
        if self.name == "kapbot":
            extra = ["--host", "127.0.0.1", "--port", *args] if action == "serve" else args
            return [KAPBOT, action, *extra]
        options = ["--data", str(self.data)]
        options += {"index": ["--corpus", str(self.corpus)], "serve": ["--port", *args]}.get(
            action, list(args))
        return [sys.executable, TUTORIAL, action, *options]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def timed(stack: Stack, action: str, *args: str) -> tuple[float, str]:
    """Wall time of one command, from spawn to exit, and its output."""
    started = time.perf_counter()
    done = subprocess.run(stack.command(action, *args), env=stack.env(), cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{stack.name} {action} failed ({done.returncode}):\n"
                           f"{done.stderr[-3000:]}")
    return elapsed, done.stdout


def ask_http(url: str, question: str, timeout: float = 60) -> tuple[float, bool]:
    """One POST /api/ask: (seconds, whether it came back 200 with an answer text)."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(url + "/api/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ok = response.status == 200 and bool(json.loads(response.read()).get("text"))
    except (OSError, ValueError):  # refused, reset, timeout, HTTP error, bad JSON
        ok = False
    return time.perf_counter() - started, ok


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(stack: Stack, question: str, log: Path) -> Iterator[tuple[int, str, float]]:
    """Start the server; yield (pid, url, seconds from spawn to its first answer); stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(stack.command("serve", str(port)), env=stack.env(), cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        while not ask_http(url, question, timeout=30)[1]:
            if proc.poll() is not None or time.perf_counter() - started > 300:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{stack.name} server never answered:\n{tail}")
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
    p50: float
    p95: float
    rps: float
    errors: int


def http_load(url: str, questions: Sequence[str], clients: int, per_client: int) -> Load:
    def client(c: int) -> list[tuple[float, bool]]:
        return [ask_http(url, questions[(c * per_client + i) % len(questions)])
                for i in range(per_client)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = [r for run in pool.map(client, range(clients)) for r in run]
    wall = time.perf_counter() - started
    seconds = [t * 1000 for t, _ in results]
    return Load(pct(seconds, 50), pct(seconds, 95), len(results) / wall,
                sum(1 for _, ok in results if not ok))


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of a live process, in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines())
    return int(status["VmHWM"].split()[0]) / 1024, int(status["VmRSS"].split()[0]) / 1024


def latencies_ms(ask: Ask, questions: Sequence[str], passes: int, warmup: int) -> list[float]:
    for question in questions[:warmup]:
        ask(question)
    out = []
    for _ in range(passes):
        for question in questions:
            started = time.perf_counter()
            ask(question)
            out.append((time.perf_counter() - started) * 1000)
    return out


def kapbot_asker(stack: Stack) -> Ask:
    from kapbot.bot import Bot
    from kapbot.settings import load

    settings = load(ROOT / "kapbot.toml", environ={}, data_dir=str(stack.data),
                    corpus_dir=str(stack.corpus), rate_limit_per_minute=0)
    bot = Bot(settings)
    bot.prepare()
    return lambda question: bot.ask(question).text


def tutorial_asker(stack: Stack, embeddings: object) -> Ask:
    from tutorial_app import TutorialBot

    return TutorialBot(stack.data, embeddings).ask  # type: ignore[arg-type]


def hit_at_1(stack: Stack) -> dict[str, float]:
    """hit@1 of "kapbot" and "tutorial" from `kapbot eval --tutorial` (exit 1 = a bar missed)."""
    out = stack.data / "eval.json"
    done = subprocess.run([KAPBOT, "eval", str(EVALS), "--tutorial", "--quiet", "--write",
                           str(out)], env=stack.env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=1800)
    if not out.is_file():
        raise RuntimeError(f"kapbot eval failed ({done.returncode}):\n{done.stderr[-3000:]}")
    results = next(iter(json.loads(out.read_text())["evals"].values()))["results"]
    return {name: float(results[name]["hit@1"]) for name in ("kapbot", "tutorial")}


def main_stacks(tmp: Path, cfg: Config, questions: list[str], embeddings: object) -> list[Row]:
    stacks = [Stack("kapbot", tmp / "kapbot"), Stack("tutorial", tmp / "tutorial")]
    res: dict[str, dict[str, float]] = {s.name: {} for s in stacks}
    first = questions[0]
    for stack in stacks:
        say(f"{stack.name}: index build in a fresh data dir")
        res[stack.name]["index"] = timed(stack, "index")[0]
    say(f"CLI cold start x{cfg.cli_runs}")
    cli: dict[str, list[float]] = {s.name: [] for s in stacks}
    for _ in range(cfg.cli_runs):
        for stack in stacks:  # interleaved, so machine noise hits both alike
            cli[stack.name].append(timed(stack, "ask", first)[0])
    say(f"server cold start x{cfg.server_runs}, then HTTP load")
    starts: dict[str, list[float]] = {s.name: [] for s in stacks}
    for run in range(cfg.server_runs):
        for stack in stacks:
            with serving(stack, first, tmp / f"{stack.name}-serve.log") as (pid, url, took):
                starts[stack.name].append(took)
                if run < cfg.server_runs - 1:
                    continue
                http_load(url, questions, 1, 10)  # warm-up
                one = http_load(url, questions, 1, len(questions))
                many = http_load(url, questions, cfg.clients, cfg.per_client)
                hwm, rss = memory_mb(pid)
                res[stack.name].update(
                    one_p50=one.p50, one_p95=one.p95, one_rps=one.rps, many_p50=many.p50,
                    many_p95=many.p95, many_rps=many.rps, errors=one.errors + many.errors,
                    hwm=hwm, rss=rss)
    say("warm in-process latency")
    askers = {"kapbot": kapbot_asker(stacks[0]), "tutorial": tutorial_asker(stacks[1], embeddings)}
    for name, ask in askers.items():
        times = latencies_ms(ask, questions, cfg.passes, warmup=10)
        res[name].update(p50=pct(times, 50), p95=pct(times, 95))
    say("hit@1 (kapbot eval --tutorial)")
    hits = hit_at_1(stacks[0])
    for stack in stacks:
        r = res[stack.name]
        r.update(cli=statistics.median(cli[stack.name]), cli_min=min(cli[stack.name]),
                 server=statistics.median(starts[stack.name]), hit=hits[stack.name])
    k, t = res["kapbot"], res["tutorial"]
    n, c = len(questions), f"{cfg.clients} clients × {cfg.per_client}"

    def row(label: str, key: str, unit: str, digits: int = 0, target: float | None = None,
            higher: bool = False) -> Row:
        return Row(label, unit, k[key], t[key], digits, target, higher)

    return [
        row("Index build, fresh data dir (process wall)", "index", "s", 1),
        row(f"CLI cold start → answer, median of {cfg.cli_runs}", "cli", "s", 2, 2),
        row(f"CLI cold start → answer, min of {cfg.cli_runs}", "cli_min", "s", 2),
        row(f"Server cold start → first answer, median of {cfg.server_runs}", "server", "s",
            1, 8),
        row(f"Warm in-process p50 ({n} questions × {cfg.passes})", "p50", "ms", 1, 10),
        row(f"Warm in-process p95 ({n} questions × {cfg.passes})", "p95", "ms", 1),
        row(f"HTTP p50, 1 client ({n} requests)", "one_p50", "ms", 1),
        row(f"HTTP p95, 1 client ({n} requests)", "one_p95", "ms", 1),
        row("HTTP throughput, 1 client", "one_rps", "req/s", 1, higher=True),
        row(f"HTTP p50, {c}", "many_p50", "ms"),
        row(f"HTTP p95, {c}", "many_p95", "ms", 0, 150),
        row(f"HTTP throughput, {c}", "many_rps", "req/s", 1, higher=True),
        row("HTTP errors (all HTTP runs)", "errors", "", 0),
        row("Serving process peak RSS (VmHWM)", "hwm", "MB", 0, 450),
        row("Serving process RSS after load (VmRSS)", "rss", "MB", 0),
        row(f"hit@1 on {EVALS.relative_to(ROOT)}", "hit", "", 3, higher=True),
    ]


def growth(tmp: Path, cfg: Config, embeddings: object) -> list[dict[str, float]]:
    """Index build time and warm p50 on synthetic corpora of ``cfg.sizes`` documents."""
    rows = []
    for size in cfg.sizes:
        corpus = tmp / f"synthetic-{size}"
        questions = write_corpus(corpus, size)
        kap, tut = Stack("kapbot", tmp / f"kapbot-{size}", corpus), Stack(
            "tutorial", tmp / f"tutorial-{size}", corpus)
        # the ONNX export is a one-time cost per data dir, measured in the main table
        shutil.copytree(tmp / "kapbot" / "onnx", kap.data / "onnx")
        row: dict[str, float] = {"docs": size}
        for stack in (kap, tut):
            say(f"growth: {stack.name} index, {size} documents")
            seconds, out = timed(stack, "index")
            found = re.search(r"(\d+) (?:units|chunks)", out)
            row[f"{stack.name}_index"] = seconds
            row[f"{stack.name}_units"] = float(found[1]) if found else float("nan")
        for name, ask in (("kapbot", kapbot_asker(kap)),
                          ("tutorial", tutorial_asker(tut, embeddings))):
            times = latencies_ms(ask, questions, 2, warmup=len(questions))
            row[f"{name}_p50"] = pct(times, 50)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 1,000-doc corpus")
    args = parser.parse_args()
    cfg = QUICK if args.quick else Config()
    os.environ.update(ENV)
    logging.basicConfig(level=logging.ERROR)  # kapbot's booking-link warning, once per bot
    started, load_avg = time.perf_counter(), os.getloadavg()
    lines = EVALS.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="kapbot-bench-"))
    try:
        from tutorial_app import MiniLMEmbeddings

        embeddings = MiniLMEmbeddings()  # one model load for every in-process tutorial bot
        rows = main_stacks(tmp, cfg, questions, embeddings)
        grown = growth(tmp, cfg, embeddings)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    machine = (f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
               f", load average at start {load_avg[0]:.2f}")
    text = render(rows, grown, datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                  machine, minutes, args.quick, cfg.clients)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    say(f"wrote {RESULTS} ({minutes:.1f} min)")


if __name__ == "__main__":
    main()
