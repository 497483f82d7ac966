"""The answers figures on the development sets, in one process (one model load, one index).

    PYTHONPATH=$PWD python evals/answers_dev.py [--data DIR] [--write REPORT.md] [--cases]

Sets: ``evals/questions-dev2.jsonl`` and ``evals/questions-dev3.jsonl`` (scored as
``evals/question_first_look.py`` scores a sealed set: exact sentence, right section, answered
or offered, refusals, follow-ups),
``evals/questions.jsonl`` and the second practice's ``questions.jsonl`` and ``holdout.jsonl``
(their ``sections`` lists: right section, answered or offered, refusals; exact = every
``phrases`` entry quoted). "exact | right" is how often the quote holds the exact sentence when
the section is right. Development sets only: never a sealed one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "evals"))
from question_first_look import norm, report  # noqa: E402

SETS = {  # name: (file, kapbot.toml or None)
    "dev2": (HERE / "evals/questions-dev2.jsonl", None),
    "dev3": (HERE / "evals/questions-dev3.jsonl", None),
    "questions": (HERE / "evals/questions.jsonl", None),
    "es-dev2": (HERE / "evals/spanish-dev2.jsonl", None),
    "es-dev3": (HERE / "evals/spanish-dev3.jsonl", None),
    "es-dev4": (HERE / "evals/spanish-dev4.jsonl", None),
    "practice2": (HERE / "tests/second_practice/questions.jsonl",
                  HERE / "tests/second_practice/kapbot.toml"),
    "practice2-holdout": (HERE / "tests/second_practice/holdout.jsonl",
                          HERE / "tests/second_practice/kapbot.toml"),
}


def cases(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            d["question"] = d.get("question") or d["message"]  # the Spanish sets say "message"
            d["sections"] = d.get("sections") or ([d["section"]] if d.get("section") else [])
            d["phrases"] = d.get("phrases") or ([d["sentence"]] if d.get("sentence") else [])
            d["expect"] = "no_answer" if d["expect"] == "not_covered" else d["expect"]
            if d["expect"] in ("answer", "no_answer"):  # crisis, look-alikes, medical: not here
                out.append(d)
    return out


def score(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, tuple[int, int]]:
    def right(c: dict[str, Any], r: dict[str, Any]) -> bool:
        src = r.get("sources") or []
        return r["kind"] == "answer" and bool(src) and norm(src[0]["section"]) in {
            norm(s) for s in c["sections"]}

    def exact(c: dict[str, Any], r: dict[str, Any]) -> bool:
        return r["kind"] == "answer" and bool(c["phrases"]) and all(
            norm(p) in norm(r["text"]) for p in c["phrases"])

    def offered(c: dict[str, Any], r: dict[str, Any]) -> bool:
        offers = {norm(s["section"]) for s in r.get("suggestions") or ()}
        return right(c, r) or bool(offers & {norm(s) for s in c["sections"]})

    answerable = [(c, r) for c, r in rows if c["expect"] == "answer"]
    uncovered = [(c, r) for c, r in rows if c["expect"] == "no_answer"]
    follow = [(c, r) for c, r in answerable if c.get("history")]
    rights = [(c, r) for c, r in answerable if right(c, r)]
    quoted = [(c, r) for c, r in answerable if c["phrases"]]  # the sets that name the sentence
    return {
        "exact sentence quoted": (sum(exact(c, r) for c, r in quoted), len(quoted)),
        "exact | right section": (sum(exact(c, r) for c, r in rights if c["phrases"]),
                                  sum(1 for c, _ in rights if c["phrases"])),
        "right section (hit@1)": (len(rights), len(answerable)),
        "answered or offered": (sum(offered(c, r) for c, r in answerable), len(answerable)),
        "answerable refused": (sum(r["kind"] in ("no_answer", "medical") for _, r in answerable),
                               len(answerable)),
        "not covered refused": (sum(r["kind"] != "answer" for _, r in uncovered), len(uncovered)),
        "follow-ups answered": (sum(right(c, r) for c, r in follow), len(follow)),
    }


def run(name: str, data: Path, show: bool) -> tuple[dict[str, tuple[int, int]], list[str]]:
    from kapbot.bot import Bot
    from kapbot.settings import load

    path, config = SETS[name]
    settings = load(config or HERE / "kapbot.toml",  # this checkout's corpus, whatever the cwd
                    data_dir=data / (config.parent.name if config else "main"), record_gaps=False)
    bot = Bot(settings)
    bot.prepare()
    rows, lines = [], []
    for c in cases(path):
        r = bot.ask(c["question"], history=c.get("history", ())).to_dict()
        rows.append((c, r))
        if show:
            src = (r.get("sources") or [{}])[0].get("section", "")
            offers = [s["section"] for s in r.get("suggestions") or ()]
            lines.append(f"{c['id']}\t{c['expect']}\t{r['kind']}\t{src!r}\t{c['sections']}\t"
                         f"{offers}\t{c['question']!r}")
    return score(rows), lines


def table(figures: dict[str, dict[str, tuple[int, int]]]) -> str:
    names = list(next(iter(figures.values())))
    out = ["| | " + " | ".join(figures) + " |", "|---" * (len(figures) + 1) + "|"]
    for n in names:
        cells = [f"{v[n][0]}/{v[n][1]} ({v[n][0] / v[n][1]:.2f})" if v[n][1] else "n/a"
                 for v in figures.values()]
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HERE / ".dev-data",
                        help="the data folder (indexes are kept here between runs)")
    parser.add_argument("--sets", default=",".join(SETS), help="which sets, comma-separated")
    parser.add_argument("--write", type=Path, metavar="MD", help="also write the table here")
    parser.add_argument("--cases", action="store_true", help="print every case's reply")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE",
                        help="try another value of a module constant (a float)")
    args = parser.parse_args(argv)
    for assignment in args.set:
        import importlib

        target, value = assignment.split("=")
        module, name = target.rsplit(".", 1)
        setattr(importlib.import_module(module), name, type(getattr(
            importlib.import_module(module), name))(float(value)))
    figures = {}
    for name in args.sets.split(","):
        figures[name], lines = run(name, args.data, args.cases)
        print("\n".join(lines))
    return report(table(figures), args.write)


if __name__ == "__main__":
    raise SystemExit(main())
