"""Ask every message of one or more sets through ``Bot.ask`` and write each reply's JSON (id,
kind, safety tier, text) as JSON Lines. Works with any kapbot version (it reads the reply's
fields, not its code), so a first look can measure the screen before and after a change on the
same set, in the same run:

    cd <checkout> && PYTHONPATH=<checkout> .venv/bin/python evals/run_screen.py --data-dir DIR \
        --out OUT SET...

Run it in the checkout's folder: the settings (``kapbot.toml``, and the corpus it names) are read
from the working folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    from kapbot.bot import Bot
    from kapbot.settings import load

    settings = load(data_dir=Path(args.data_dir).resolve(), record_gaps=False)
    bot = Bot(settings)
    bot.prepare()
    with open(args.out, "w", encoding="utf-8") as out:
        for path in args.sets:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                case = json.loads(line)
                answer = bot.ask(case["message"])
                out.write(json.dumps({"set": Path(path).name, "id": case["id"],
                                      "kind": answer.kind,
                                      "safety": getattr(answer, "safety", None),
                                      "text": answer.text}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
