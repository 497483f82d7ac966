"""Development only: how a new practice's own pages are answered, without question banks or with.

For each practice folder (``pages/``, ``practice.json`` and ``questions.jsonl``, as in
``evals/dev-practices/``), a site is made as README "Set it up for your practice" says
(``kapbot init``, the pages copied in, the starter ``not-covered.md`` kept) and every question
asked in-process; with ``--banks``, the same pages with their question banks (``banks/``).
Prints, per practice and in total: answerable questions answered from the right section, from
a wrong one, refused; not-covered questions refused; how often each signal alone would put the
right section first; with ``--cases``, each question's outcome, the decision's probability and
its reason; with ``--dump``, each question's ranking as JSON. The practices measured here are
development sets: tune on them, and measure on a sealed one (``evals/sealed/new-practice-*``).

    PYTHONPATH=CHECKOUT python evals/pages_alone_dev.py evals/dev-practices/d1 ... [--cases]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def site_for(practice: Path, work: Path, keep_not_covered: bool = True,
             pages: str = "pages") -> Path:
    site = work / practice.name
    flags = json.loads((practice / "practice.json").read_text())
    subprocess.run([sys.executable, "-m", "kapbot", "init", str(site),
                    *[a for k, v in flags.items() for a in (f"--{k}", v)]],
                   check=True, capture_output=True, env=dict(os.environ))
    for page in sorted((practice / pages).glob("*.md")):
        shutil.copy(page, site / "corpus" / page.name)
    if not keep_not_covered:
        (site / "corpus" / "not-covered.md").unlink()
    return site


def measure(practice: Path, work: Path, cases_out: bool,
            dump: list[dict[str, object]] | None = None, keep_not_covered: bool = True,
            pages: str = "pages"
            ) -> dict[str, int]:
    from kapbot.bot import Bot
    from kapbot.settings import load
    from kapbot.workbench.evaluation import norm

    site = site_for(practice, work, keep_not_covered, pages)
    bot = Bot(load(site / "kapbot.toml", record_gaps=False))
    bot.prepare()
    ranks: dict[str, int] = {}
    counts = dict.fromkeys(("answerable", "right", "wrong", "refused", "not_covered",
                            "nc_refused"), 0)
    for line in (practice / "questions.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        answer = bot.ask(row["question"])
        quoted = answer.kind == "answer" and bool(answer.sources)
        section = answer.sources[0].section if quoted else ""
        if row["expect"] == "answer":
            counts["answerable"] += 1
            right = quoted and norm(section) in {norm(s) for s in row["sections"]}
            outcome = "right" if right else "wrong" if quoted else "refused"
        else:
            counts["not_covered"] += 1
            outcome = "nc_answered" if quoted else "nc_refused"
        if outcome in counts:
            counts[outcome] += 1
        ranking = bot.retrieve(row["question"])[0]
        if dump is not None:
            dump.append({"practice": practice.name, "id": row["id"],
                         "gold": row.get("sections", []), "expect": row["expect"],
                         "outcome": outcome, "confidence": answer.confidence,
                         "nc": ranking.not_covered_probability, "ncsim": ranking.not_covered,
                         "p_answer": ranking.answer_probability,
                         "sections": [[r.section.heading, r.score, r.signals]
                                      for r in ranking.sections]})
        if row["expect"] == "answer":
            for signal in ("fused", "q", "p", "s", "l", "r", "m"):
                order = sorted(ranking.sections, key=lambda r: -(
                    r.score if signal == "fused" else r.signals.get(signal, 0.0)))
                first = norm(order[0].section.heading) if order else ""
                ranks[signal] = ranks.get(signal, 0) + (first in {norm(s) for s in row["sections"]})
        if cases_out:
            print(f"  {row['id']} {outcome:11} p={answer.confidence:.2f} {answer.kind:9} "
                  f"{section[:30]!r:32} {answer.reason[:70]}")
    print("  first by signal:", ranks)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("practices", type=Path, nargs="+")
    parser.add_argument("--cases", action="store_true", help="print every question's outcome")
    parser.add_argument("--dump", type=Path, help="write each question's ranking (JSON)")
    parser.add_argument("--without-not-covered", action="store_true",
                        help="delete the starter not-covered.md (the one-class decision)")
    parser.add_argument("--banks", action="store_true",
                        help="the pages with their question banks (``banks/``), not ``pages/``")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kapbot-pages-alone-"))
    total: dict[str, int] = {}
    dump: list[dict[str, object]] = []
    try:
        for practice in args.practices:
            print(practice.name)
            counts = measure(practice.resolve(), work, args.cases, dump,
                             not args.without_not_covered, "banks" if args.banks else "pages")
            print(f"{practice.name}: {counts}")
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.dump:
        args.dump.write_text(json.dumps(dump))
    a, n = total["answerable"], total["not_covered"]
    print(f"total: right section {total['right']} / {a}, wrong {total['wrong']}, refused "
          f"{total['refused']}; not covered refused {total['nc_refused']} / {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
