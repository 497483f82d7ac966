"""How the shipped safety screen treats ordinary visitor questions of practices it never learnt
from: the question-bank lines of other practices (every line an ordinary question that the
practice's page answers), as the screen of the shipped corpus sees them. Development figures:
these practices' sealed question sets were measured before this probe existed.

    PYTHONPATH=$PWD python evals/screen_on_banks.py [--data-dir DIR] [--write REPORT.md] [FOLDER...]

Per folder: lines given ``urgent`` (the crisis reply alone), ``concern`` (the resources shown
above the answer), the medical reply for sure (medical probability at least
``medical_sure_threshold``: no section is ranked) and the medical label at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("evals/practices/p4/banks", "evals/practices/p5/banks", "tests/second_practice/corpus")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", default=list(FOLDERS))
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    from kapbot.bot import Bot
    from kapbot.corpus.reader import load_corpus
    from kapbot.safety.policy import Label, Tier
    from kapbot.settings import load

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    bot = Bot(load(config_path=ROOT / "kapbot.toml", record_gaps=False, **overrides))
    bot.screener.ready()
    sure = bot.settings.medical_sure_threshold
    lines = ["| bank lines of | n | urgent | concern | medical reply (sure) | medical label |",
             "|---|---|---|---|---|---|"]
    for folder in args.folders:
        corpus = load_corpus(ROOT / folder, log_problems=False)
        questions = list(dict.fromkeys(q for s in corpus.sections for q in s.questions))
        counts = {"urgent": 0, "concern": 0, "sure": 0, "medical": 0}
        for question in questions:
            verdict = bot.screener.check(question)
            counts["urgent"] += verdict.tier is Tier.URGENT
            counts["concern"] += verdict.tier is Tier.CONCERN
            medical = verdict.label is Label.MEDICAL
            counts["medical"] += medical
            counts["sure"] += medical and verdict.probabilities.get("medical", 0.0) >= sure
        n = len(questions)
        lines.append(f"| `{folder}` | {n} | " + " | ".join(
            f"{counts[k]} ({counts[k] / n:.3f})" for k in ("urgent", "concern", "sure", "medical"))
            + " |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
