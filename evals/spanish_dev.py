"""The Spanish development set (evals/spanish-dev.jsonl, written by the Spanish issue's engineer:
development data, not a sealed set) with Spanish support off (``languages = "en"``: as before)
and on (``"en, es"``). Prints a markdown report; the committed one is evals/spanish-dev.md.

    PYTHONPATH=. python evals/spanish_dev.py > evals/spanish-dev.md
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from kapbot import wording
from kapbot.bot import Bot
from kapbot.settings import load

ROOT = Path(__file__).resolve().parent.parent
CASES = [json.loads(line) for line in (ROOT / "evals/spanish-dev.jsonl").read_text(
    encoding="utf-8").splitlines()]
SPANISH_FRAME = ("Siento mucho", "Si tiene pensamientos", "Dana Nassau escribe en inglés",
                 "Lo siento", "No puedo dar")


def run(languages: str, data: Path) -> dict[str, str]:
    bot = Bot(load(config_path=ROOT / "kapbot.toml", environ={}, data_dir=str(data),
                   languages=languages))
    bot.prepare()
    kinds: dict[str, int] = {}
    right: dict[str, int] = {}
    framed = footer = 0
    ms: list[float] = []
    for case in CASES:
        started = time.perf_counter()
        answer = bot.ask(case["question"])
        ms.append((time.perf_counter() - started) * 1000)
        expect = case["expect"]
        kinds[expect] = kinds.get(expect, 0) + 1
        section = answer.sources[0].section if answer.sources else ""
        if expect == "crisis":
            ok = answer.safety in ("urgent", "concern") and "988" in answer.text.split("\n")[2]
        else:
            ok = answer.kind == expect and (not case["sections"] or section in case["sections"])
        right[expect] = right.get(expect, 0) + ok
        framed += answer.text.startswith(SPANISH_FRAME)
        footer += answer.text.endswith(wording.footer(
            bot.langs.voice["es"].disclaimer, bot.settings.booking_url, lang="es"))
    out = {k: f"{right[k]}/{kinds[k]}" for k in kinds}
    out["Spanish framing"] = f"{framed}/{len(CASES)}"
    out["Spanish disclaimer and booking link"] = f"{footer}/{len(CASES)}"
    out["median ms (warm)"] = f"{statistics.median(ms[1:]):.0f}"
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before = run("en", Path(tmp))
        after = run("en, es", Path(tmp))
    print("# Spanish development set\n")
    print(f"{len(CASES)} messages of evals/spanish-dev.jsonl (development data, written by the "
          "engineer of the Spanish issue, not by a separate writer: an optimistic figure). "
          "Crisis: the resources first (`urgent`, or `concern` with the resources above the "
          "reply). Answer: the expected section quoted.\n")
    print("| | Spanish off (`languages = \"en\"`, as before) | Spanish on (`\"en, es\"`) |")
    print("| --- | --- | --- |")
    for key in after:
        print(f"| {key} | {before.get(key, '')} | {after[key]} |")


if __name__ == "__main__":
    main()
