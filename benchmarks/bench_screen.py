"""What the safety screen and the trained section rankers cost per message, warm, in process:
``Screener.check`` alone, the rankers' own work (the MiniLM ranker's section probabilities and
the answer decision's features, for the first section, and the multilingual ranker's section
probabilities) alone, and ``Bot.ask`` whole, over every question
of evals/questions.jsonl and an equal number of Spanish and Spanglish messages (twice each, the
first pass discarded), with the index built beforehand.
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
from typing import Any

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


def _rank(ranker: Any, table: Any, vector: list[float], second: Any, multilingual: Any,
          adapted: Any = None) -> None:
    """What the trained rankers add to a reply: the question adapter's map and its search of
    the passages and sentences (``adapted``, when given), the question moved towards its
    nearest bank questions when the table has bank lines (``kapbot.ranking.query_expansion``)
    and its section probabilities, the question's own probabilities and the answer decision's
    features for the likeliest section; and the multilingual ranker's section probabilities
    (``second``, when there is one: it reads the message's multilingual vector, which the
    safety screen needs anyway)."""
    from kapbot.ranking.ranker import features_for
    from kapbot.ranking.search import trained_probabilities

    if adapted is not None:
        adapted(vector)
    (probabilities, _), decided = trained_probabilities(ranker, table, vector)
    features_for(ranker, table, vector, max(probabilities, key=probabilities.__getitem__),
                 decided)
    if second is not None:
        second.probabilities(multilingual)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT / "data"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kapbot.bot import Bot
    from kapbot.settings import load

    bot = Bot(load(config_path=ROOT / "kapbot.toml", data_dir=args.data_dir, record_gaps=False))
    bot.prepare()
    assert bot._snapshot is not None  # prepared: the index and its trained rankers are loaded
    ranker, table = bot._snapshot.rankers[True]
    second = bot._snapshot.multilingual_ranker
    snap, search = bot._snapshot, bot.search

    def adapted(vector: list[float]) -> None:
        search.adapted_scores(snap, search.adapted_query(vector))
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line.strip()]
    spanish = (SPANISH * (len(questions) // len(SPANISH) + 1))[: len(questions)]
    rows = []
    for name, items in (("English (evals/questions.jsonl)", questions), ("Spanish", spanish)):
        vector = {q: bot.embedder.embed([q])[0] for q in items}
        multi = {q: bot.vectors.multilingual_vector(q) for q in items}
        for _ in range(2):
            screen = _times(lambda q, v=vector: bot.screener.check(q, v[q]), items)
            ranked = _times(lambda q, v=vector, m=multi: _rank(
                ranker, table, v[q], second[0] if second else None, m[q], adapted), items)
            ask = _times(bot.ask, items)
        rows.append((name, len(items), *(f(x) for x in (screen, ranked, ask)
                                         for f in (statistics.median, _p95))))
    lines = ["# The safety screen's and the section ranker's cost, warm, in process", "",
             f"`{' '.join(sys.argv)}` on {os.cpu_count()} cores, "
             f"load average {os.getloadavg()[0]:.2f}.", "",
             "| messages | n | screen p50 | screen p95 | ranker p50 | ranker p95 | Bot.ask p50 "
             "| Bot.ask p95 |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {n} | {k} | " + " | ".join(f"{x:.1f} ms" for x in figures) + " |"
              for n, k, *figures in rows]
    lines += ["", "Budgets: the screen ≤ 5 ms at p50 (safety issue), the ranker ≤ 2 ms at p50 "
              "(answers issue). \"ranker\" is both trained rankers' work (the MiniLM one and "
              "the multilingual one) and the question adapter's; Bot.ask is the whole reply, "
              "screen and rankers included."]
    (ROOT / "benchmarks" / "screen.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
