"""Side-by-side benchmark: kapbot vs the LangChain tutorial stack (benchmarks/tutorial_app.py).

    make bench        # or: .venv/bin/python benchmarks/bench.py [--quick]

Same corpus, same questions, same machine: cold starts (CLI and server), warm latency in process
and over HTTP (1 and N concurrent clients), serving memory, index build time, hit@1 on evals/,
and growth on a synthetic corpus of 10 to 1,000 documents. Prints the tables and writes
benchmarks/results.md. Everything runs offline, on 127.0.0.1, in temporary folders.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_corpus import write_corpus
from bench_http import http_load, memory_mb, pct, serving
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
        """index, ask QUESTION, or serve (the port is appended by the caller)."""
        if self.name == "kapbot":
            extra = ["--host", "127.0.0.1", "--port"] if action == "serve" else args
            return [KAPBOT, action, *extra]
        options = {"index": ["--corpus", str(self.corpus)], "serve": ["--port"]}.get(action, [])
        return [sys.executable, TUTORIAL, action, "--data", str(self.data), *args, *options]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


def compare_ms(askers: dict[str, Ask], questions: Sequence[str], passes: int,
               warmup: int) -> dict[str, list[float]]:
    """Per-question latency of each asker, in ms. The askers take turns by pass, the order
    reversed every pass, so slow drifts in machine load hit both alike (turns by question would
    let torch's spinning OpenMP threads slow down the next asker)."""
    for ask in askers.values():
        for question in questions[:warmup]:
            ask(question)
    times: dict[str, list[float]] = {name: [] for name in askers}
    turns = list(askers.items())
    for n in range(passes):
        for name, ask in turns if n % 2 == 0 else turns[::-1]:
            for question in questions:
                started = time.perf_counter()
                ask(question)
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def kapbot_asker(stack: Stack) -> Ask:
    from kapbot.bot import Bot
    from kapbot.settings import load

    settings = load(ROOT / "kapbot.toml", environ={}, data_dir=str(stack.data),
                    corpus_dir=str(stack.corpus), rate_limit_per_minute=0)
    bot = Bot(settings)
    bot.prepare()
    return lambda question: bot.ask(question).text


def tutorial_asker(stack: Stack, embeddings: Any) -> Ask:
    from tutorial_app import TutorialBot

    return TutorialBot(stack.data, embeddings).ask


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


def side_by_side(tmp: Path, cfg: Config, questions: list[str], embeddings: Any) -> list[Row]:
    stacks = [Stack("kapbot", tmp / "kapbot"), Stack("tutorial", tmp / "tutorial")]
    res: dict[str, dict[str, float]] = {s.name: {} for s in stacks}
    cli: dict[str, list[float]] = {s.name: [] for s in stacks}
    starts: dict[str, list[float]] = {s.name: [] for s in stacks}
    first = questions[0]
    for stack in stacks:
        say(f"{stack.name}: index build in a fresh data dir")
        res[stack.name]["index"] = timed(stack, "index")[0]
    say(f"CLI cold start ×{cfg.cli_runs}")
    for _ in range(cfg.cli_runs):
        for stack in stacks:  # interleaved, so machine noise hits both alike
            cli[stack.name].append(timed(stack, "ask", first)[0])
    say(f"server cold start ×{cfg.server_runs}, then HTTP load on the last one")
    for run in range(cfg.server_runs):
        for stack in stacks:
            log = tmp / f"{stack.name}-serve.log"
            with serving(stack.command("serve"), stack.env(), ROOT, first, log) as (pid, url, took):
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
    for name, times in compare_ms(askers, questions, cfg.passes, warmup=10).items():
        res[name].update(p50=pct(times, 50), p95=pct(times, 95))
    say("hit@1 (kapbot eval --tutorial)")
    hits = hit_at_1(stacks[0])
    for name, r in res.items():
        r.update(cli=statistics.median(cli[name]), cli_min=min(cli[name]),
                 server=statistics.median(starts[name]), hit=hits[name])
    n, c = len(questions), f"{cfg.clients} clients × {cfg.per_client} questions"

    def row(label: str, key: str, unit: str, digits: int, target: float | None = None) -> Row:
        return Row(label, unit, res["kapbot"][key], res["tutorial"][key], digits, target)

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
        row("HTTP throughput, 1 client (higher is better)", "one_rps", "req/s", 1),
        row(f"HTTP p50, {c}", "many_p50", "ms", 0),
        row(f"HTTP p95, {c}", "many_p95", "ms", 0, 150),
        row(f"HTTP throughput, {cfg.clients} clients (higher is better)", "many_rps", "req/s", 1),
        row("HTTP errors (both HTTP runs)", "errors", "", 0),
        row("Serving process peak RSS (VmHWM)", "hwm", "MB", 0, 450),
        row("Serving process RSS after the load (VmRSS)", "rss", "MB", 0),
        row(f"hit@1 on {EVALS.relative_to(ROOT)} (higher is better)", "hit", "", 3),
    ]


def growth(tmp: Path, cfg: Config, embeddings: Any) -> list[dict[str, float]]:
    """Index build time and warm p50 on synthetic corpora of ``cfg.sizes`` documents."""
    rows = []
    for size in cfg.sizes:
        corpus = tmp / f"synthetic-{size}"
        questions = write_corpus(corpus, size)
        kap = Stack("kapbot", tmp / f"kapbot-{size}", corpus)
        tut = Stack("tutorial", tmp / f"tutorial-{size}", corpus)
        # the ONNX export is a one-time cost per data dir, measured in the main table
        shutil.copytree(tmp / "kapbot" / "onnx", kap.data / "onnx")
        row: dict[str, float] = {"docs": size}
        for stack in (kap, tut):
            say(f"growth: {stack.name} index, {size} documents")
            seconds, out = timed(stack, "index")
            found = re.search(r"(\d+) (?:units|chunks)", out)
            row[f"{stack.name}_index"] = seconds
            row[f"{stack.name}_units"] = float(found[1]) if found else float("nan")
        askers = {"kapbot": kapbot_asker(kap), "tutorial": tutorial_asker(tut, embeddings)}
        for name, times in compare_ms(askers, questions, 2, warmup=len(questions)).items():
            row[f"{name}_p50"] = pct(times, 50)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 1,000-doc corpus")
    parser.add_argument("--sizes", default="", help="the growth table's corpus sizes, comma-"
                        "separated (default 10,100,1000)")
    args = parser.parse_args()
    cfg = QUICK if args.quick else Config()
    if args.sizes:
        cfg = dataclasses.replace(cfg, sizes=tuple(int(s) for s in args.sizes.split(",")))
    os.environ.update(ENV)
    logging.basicConfig(level=logging.ERROR)  # not kapbot's booking-link warning per bot
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    lines = EVALS.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="kapbot-bench-"))
    try:
        from tutorial_app import MiniLMEmbeddings

        embeddings = MiniLMEmbeddings()  # one model load for every in-process tutorial bot
        rows = side_by_side(tmp, cfg, questions, embeddings)
        grown = growth(tmp, cfg, embeddings)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    machine = (f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
               f"; 1-min load average {load_before:.2f} at start, {os.getloadavg()[0]:.2f} "
               "at end")
    text = render(rows, grown, datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                  machine, minutes, args.quick, cfg.clients)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    say(f"wrote {RESULTS} ({minutes:.1f} min)")


if __name__ == "__main__":
    main()
