"""What the safety screen costs per message, warm, in process: ``Screener.check`` alone and
``Bot.ask`` whole, over every question of evals/questions.jsonl and an equal number of Spanish
and Spanglish messages (twice each, the first pass discarded), with the index built beforehand.
Writes benchmarks/screen.md.

    .venv/bin/python benchmarks/bench_screen.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPANISH = [
    "¿Cuánto dura una sesión?", "¿Necesito un terapeuta para la ketamina?",
    "¿Qué pasa en la integración?", "¿Atienden en línea en California?",
    "¿Cómo me preparo para la primera sesión?", "quiero saber si la KAP es para mí",
    "is it online o tengo que ir en persona?", "¿Cuánto cuesta la llamada de descubrimiento?",
]


def _times(fn: object, items: list[str]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)  # type: ignore[operator]
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT / "data"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kapbot.bot import Bot
    from kapbot.settings import load

    bot = Bot(load(config_path=ROOT / "kapbot.toml", data_dir=args.data_dir, record_gaps=False))
    bot.prepare()
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line.strip()]
    spanish = (SPANISH * (len(questions) // len(SPANISH) + 1))[: len(questions)]
    rows = []
    for name, items in (("English (evals/questions.jsonl)", questions), ("Spanish", spanish)):
        vector = {q: bot.embedder.embed([q])[0] for q in items}
        for _ in range(2):
            screen = _times(lambda q, v=vector: bot.screener.check(q, v[q]), items)
            ask = _times(bot.ask, items)
        rows.append((name, len(items), statistics.median(screen),
                     statistics.quantiles(screen, n=20)[18], statistics.median(ask),
                     statistics.quantiles(ask, n=20)[18]))
    lines = ["# The safety screen's cost, warm, in process", "",
             f"`{' '.join(sys.argv)}` on {os.cpu_count()} cores, "
             f"load average {os.getloadavg()[0]:.2f}.", "",
             "| messages | n | screen p50 | screen p95 | Bot.ask p50 | Bot.ask p95 |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {k} | {a:.1f} ms | {b:.1f} ms | {c:.1f} ms | {d:.1f} ms |"
              for n, k, a, b, c, d in rows]
    (ROOT / "benchmarks" / "screen.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
