"""How the "near-copy of the practice's own question" rule (``kapbot.safety.ownquestion``) meets
the training data, before any sealed set measures it. Development figures, on data the screen
learns from, for choosing ``SIMILARITY`` and ``EXTRA_WORDS``:

- crisis side: how many of the crisis training messages would pass the rule against the question
  lines of every practice here (the shipped corpus, the sealed and development practices' banks),
  with MiniLM (English replies) and the multilingual vectors (replies in Spanish). A crisis
  message that passes would be lowered from the crisis reply alone to the resources above an
  answer, if the classifier gave it ``urgent``.
- reach: how many answerable questions of the development practices (``evals/dev-practices``,
  written apart from their banks) are near-copies of one of their own practice's bank lines.

    PYTHONPATH=$PWD python evals/own_question_dev.py [--write evals/own-question-dev.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIMILARITIES = (0.8, 0.85, 0.9)
EXTRAS = (2, 4, 6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path)
    parser.add_argument("--data-dir", default=str(ROOT / ".dev-data" / "main"))
    args = parser.parse_args()
    import numpy as np

    from kapbot.bot import Bot
    from kapbot.corpus.markdown import NOT_COVERED
    from kapbot.corpus.reader import load_corpus
    from kapbot.safety.ownquestion import EXTRA_WORDS, SIMILARITY
    from kapbot.settings import load
    from kapbot.text import word_count

    bot = Bot(load(config_path=ROOT / "kapbot.toml", record_gaps=False, data_dir=args.data_dir))

    def questions(folder: Path) -> list[str]:
        corpus = load_corpus(folder, log_problems=False)
        return [q for s in corpus.sections if s.doc_kind != NOT_COVERED for q in s.own_questions]

    def unit(embed: object, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for at in range(0, len(texts), 256):
            rows += embed.embed(texts[at:at + 256])  # type: ignore[attr-defined]
        table = np.array(rows, dtype=np.float32)
        return table / np.linalg.norm(table, axis=1, keepdims=True)

    def passing(messages: list[str], lines: list[str], sims: np.ndarray, similarity: float,
                extra: int) -> int:
        return sum(1 for i, message in enumerate(messages)
                   if any(word_count(message) <= word_count(lines[j]) + extra
                          for j in np.flatnonzero(sims[i] >= similarity)))

    folders = [ROOT / "corpus", *sorted((ROOT / "evals/practices").glob("p*/banks")),
               *sorted((ROOT / "evals/dev-practices").glob("d*/banks"))]
    lines = [q for folder in folders for q in questions(folder)]
    crisis = [row["text"] for path in sorted((ROOT / "kapbot/safety/data/train").glob("*.jsonl"))
              for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
              if row["label"] == "crisis"]
    out = ["# The practice's own question and the crisis reply (development)\n",
           f"Made by `evals/own_question_dev.py`. The rule as shipped: cosine ≥ {SIMILARITY}, "
           f"at most {EXTRA_WORDS} words more than the question.\n",
           f"## Crisis training messages that would pass ({len(crisis):,} messages, "
           f"{len(lines):,} question lines of {len(folders)} practices)\n",
           "| vectors | cosine ≥ | " + " | ".join(f"≤ {e} words more" for e in EXTRAS) + " |",
           "|---|---|" + "---|" * len(EXTRAS)]
    vectors = (("MiniLM", bot.vectors.embedder), ("multilingual", bot.vectors.multilingual))
    for name, embed in vectors:
        sims = unit(embed, crisis) @ unit(embed, lines).T
        for similarity in SIMILARITIES:
            out.append(f"| {name} | {similarity} | " + " | ".join(
                str(passing(crisis, lines, sims, similarity, e)) for e in EXTRAS) + " |")
    out += ["", "## Reach: answerable development questions that are near-copies of their own "
            "practice's bank (MiniLM)\n", "| practice | answerable | " + " | ".join(
                f"cosine ≥ {s}" for s in SIMILARITIES) + " |", "|---|---|" + "---|" * 3]
    for folder in sorted((ROOT / "evals/dev-practices").glob("d*")):
        bank = questions(folder / "banks")
        asked = [row["question"] for row in map(json.loads, (folder / "questions.jsonl")
                                                .read_text(encoding="utf-8").splitlines())
                 if row.get("expect") == "answer"]
        sims = unit(bot.vectors.embedder, asked) @ unit(bot.vectors.embedder, bank).T
        out.append(f"| {folder.name} | {len(asked)} | " + " | ".join(
            str(passing(asked, bank, sims, s, EXTRA_WORDS)) for s in SIMILARITIES) + " |")
    report = "\n".join(out) + "\n"
    if args.write:
        args.write.write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
