"""Cost of splitting sentences (kapbot.text.split_sentences, pysbd since issue 10) and of reading
a visitor's message (kapbot.text.clean_question, nh3 since issue 10).

    .venv/bin/python benchmarks/sentences.py

split_sentences runs at indexing (every section) and on each answer (the quoted section). Times,
in µs per call over both practices' sections: the old regex rule, pysbd uncached (a section seen
for the first time) and the cached call that answers pay. Writes benchmarks/sentences.md.
"""

from __future__ import annotations

import platform
import re
import statistics
import time
from pathlib import Path

from kapbot import text
from kapbot.corpus.reader import load_corpus

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5


def _per_call(fn: object, texts: list[str]) -> float:
    """Median over REPEATS of the mean µs per call."""
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for t in texts:
            fn(t)  # type: ignore[operator]
        runs.append((time.perf_counter() - started) / len(texts) * 1e6)
    return statistics.median(runs)


def _regex(paragraphs: str) -> list[str]:
    return [s for p in re.split(r"\n\s*\n", paragraphs) for s in text._regex_sentences(p.strip())]


def _uncached(paragraphs: str) -> tuple[str, ...]:
    return text._sentences.__wrapped__(paragraphs)


def main() -> None:
    texts = [s.text for folder in (ROOT / "corpus", ROOT / "tests/second_practice/corpus")
             for s in load_corpus(folder).sections]
    text.split_sentences(texts[0])  # pysbd's rules compiled once
    chars = statistics.mean(len(t) for t in texts)
    rows = [("regex rule (before)", _per_call(_regex, texts)),
            ("pysbd, first time a section is split", _per_call(_uncached, texts)),
            ("pysbd, cached (later answers)", _per_call(text.split_sentences, texts))]
    lines = [
        "# Sentence splitting and reading a message: cost per call",
        "",
        f"{len(texts)} sections of both practices (mean {chars:.0f} characters); median of "
        f"{REPEATS} runs; Python {platform.python_version()}, {platform.machine()}, a shared "
        "2-core machine (noisy).",
        "",
        "| splitter | µs per call |",
        "|---|---:|",
        *[f"| {name} | {us:,.1f} |" for name, us in rows],
        "",
        "Each section is split by pysbd once per process (at indexing, or the first answer that "
        "quotes it after a start); every later answer pays the cached figure (at most 4,096 "
        "sections are kept).",
        "",
    ]
    messages = [
        ("a plain 1,840-character question", "What is KAP and how long does a session last? " * 40),
        ("7,200 characters of nested `<iframe>`", "<iframe>" * 900),
        ("7,500 characters of entity-written tags", "&amp;lt;img src=x&amp;gt;" * 300),
    ]
    lines += [
        "| `clean_question` on | µs per call |",
        "|---|---:|",
        *[f"| {name} | {_per_call(lambda m: text.clean_question(m, 2000), [msg]):,.0f} |"
          for name, msg in messages],
        "",
    ]
    out = ROOT / "benchmarks" / "sentences.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
