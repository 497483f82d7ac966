"""Follow-ups on the development sets, both ways a reading can go wrong (development figures,
never a sealed set):

* follow-ups: each answerable question of ``evals/questions-dev2.jsonl`` and ``-dev3`` that has
  a ``history``, asked with it: answered from its section?
* mid-chat: each answerable question without a history, asked after the question before it in
  its file (a real chat's later messages mostly stand alone): answered from its section, beside
  the same question asked alone?

    PYTHONPATH=$PWD python evals/follow_up_dev.py [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "evals"))
from answers_dev import cases  # noqa: E402

SETS = ("questions-dev2", "questions-dev3")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    from kapbot.bot import Bot
    from kapbot.models import Answer
    from kapbot.settings import load

    with tempfile.TemporaryDirectory() as tmp:
        bot = Bot(load(HERE / "kapbot.toml", data_dir=args.data or Path(tmp),
                       record_gaps=False))
        bot.prepare()
        follow = [0, 0]
        alone, mid, of = 0, 0, 0
        for name in SETS:
            rows = cases(HERE / f"evals/{name}.jsonl")
            for before, case in zip([None, *rows], rows, strict=False):

                def right(answer: Answer, case: dict[str, object] = case) -> bool:
                    sections = case["sections"]
                    return (answer.kind == "answer" and bool(answer.sources)
                            and isinstance(sections, list)
                            and answer.sources[0].section in sections)

                if case["expect"] != "answer":
                    continue
                if case.get("history"):
                    follow[0] += right(bot.ask(case["question"], history=case["history"]))
                    follow[1] += 1
                elif before is not None:
                    alone += right(bot.ask(case["question"]))
                    mid += right(bot.ask(case["question"], history=[before["question"]]))
                    of += 1
        print("| | right section |\n|---|---|")
        print(f"| follow-ups, with their history | {follow[0]} of {follow[1]} |")
        print(f"| self-contained questions asked alone | {alone} of {of} |")
        print(f"| the same, asked after the question before them | {mid} of {of} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
