"""A new practice's first hour, measured as the README's "Set it up for your practice" says.

From an empty folder: ``kapbot init``, the practice's own pages copied in, ``kapbot check``,
``kapbot eval`` on the questions written before any reply was seen (pages alone, then with the
question banks another writer wrote), the therapist's teaching (``teach.jsonl``: each line a
question in the therapist's words and the section it was taught to), and ``kapbot eval`` on the
questions written after teaching, which nothing was ever taught from. Each step is timed.

    PYTHONPATH=CHECKOUT python evals/new_practice_first_look.py evals/practices/p4 \\
        evals/sealed/new-practice-p4.jsonl --write report.md

``PRACTICE`` holds ``practice.json`` (``kapbot init``'s flags), ``pages/`` (the practice's
Markdown, no banks), ``banks/`` (the same pages with banks) and, once taught, ``teach.jsonl``
(``{"question", "section"}`` for ``kapbot teach``, ``{"question", "not_covered": true}`` for a
line added to ``not-covered.md``, or ``{"question", "not_crisis": true}`` / ``"not_medical"`` /
``"crisis"`` / ``"medical"`` for ``kapbot teach --not-crisis`` and the like, a safety correction
checked on the sealed safety sets).
The question file's ``phase`` says which questions were written before teaching and which
after. The kapbot that runs is the one on ``PYTHONPATH``, so two checkouts can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAFETY_FLAGS = ("not_crisis", "not_medical", "crisis", "medical")  # teach.jsonl's safety lines
METRICS = ("hit@1", "hit@3", "refused_in_scope", "sentence_hit", "no_answer_recall")


def kapbot(site: Path, *args: str) -> tuple[int, str, float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kapbot", *args], cwd=site, text=True,
                          capture_output=True, env=dict(os.environ), check=False)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


def evaluate(site: Path, questions: Path, name: str) -> tuple[dict[str, float], float, str]:
    out = site.parent / f"{name}.json"
    rc, text, took = kapbot(site, "eval", str(questions), "--write", str(out))
    (site.parent / f"{name}.txt").write_text(text)
    if not out.exists():
        raise SystemExit(f"kapbot eval failed ({rc}):\n{text}")
    results = json.loads(out.read_text())["evals"]
    figures = next(iter(results.values()))["results"]["kapbot"]
    summary = next((line for line in text.splitlines() if " answered from the right" in line), "")
    return figures, took, summary


def as_eval_case(row: dict[str, object]) -> dict[str, object]:
    """A sealed row as ``kapbot eval`` reads it: without its phase (``kapbot eval`` reads a
    writer's ``not_covered`` itself)."""
    return {k: v for k, v in row.items() if k != "phase"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("practice", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--write", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--before-teaching", action="store_true",
                        help="stop after the eval with banks and print its failures: what the "
                             "therapist reads to decide what to teach (the questions written "
                             "after teaching are not asked)")
    args = parser.parse_args()
    practice = args.practice.resolve()
    flags = json.loads((practice / "practice.json").read_text())
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    work = Path(tempfile.mkdtemp(prefix="kapbot-practice-"))
    site = work / "site"
    files = {}
    for phase in ("before_teaching", "after_teaching"):
        files[phase] = work / f"{phase}.jsonl"
        files[phase].write_text("".join(json.dumps(as_eval_case(r)) + "\n"
                                        for r in rows if r["phase"] == phase))
    steps: list[tuple[str, str, float]] = []
    table: list[tuple[str, dict[str, float], str]] = []

    rc, text, took = kapbot(work, "init", str(site), *[a for k, v in flags.items()
                                                         for a in (f"--{k}", v)])
    steps.append(("kapbot init", f"exit {rc}", took))
    for page in sorted((practice / "pages").glob("*.md")):
        shutil.copy(page, site / "corpus" / page.name)
    rc, text, took = kapbot(site, "check")
    steps.append(("kapbot check (pages)", f"exit {rc}; " + (text.strip().splitlines() or [""])[-1],
                  took))
    figures, took, summary = evaluate(site, files["before_teaching"], "pages")
    steps.append(("kapbot eval, pages alone (index built)", summary, took))
    table.append(("pages alone, no banks", figures, "before_teaching"))

    for page in sorted((practice / "banks").glob("*.md")):
        shutil.copy(page, site / "corpus" / page.name)
    rc, text, took = kapbot(site, "check")
    steps.append(("kapbot check (with banks)", f"exit {rc}", took))
    figures, took, summary = evaluate(site, files["before_teaching"], "banks")
    steps.append(("kapbot eval, with banks (index rebuilt)", summary, took))
    table.append(("with banks", figures, "before_teaching"))

    if args.before_teaching:
        print((work / "banks.txt").read_text())
        print("\n".join(f"{n}: {r} ({t:.0f} s)" for n, r, t in steps))
        shutil.rmtree(work, ignore_errors=True)
        return 0
    taught = practice / "teach.jsonl"
    lessons = [json.loads(x) for x in taught.read_text().splitlines() if x.strip()] \
        if taught.exists() else []
    start = time.monotonic()
    refused = 0
    for lesson in lessons:
        flag = next((f for f in SAFETY_FLAGS if lesson.get(f)), "")
        if flag:  # README step 6: a reply the safety screen got wrong
            rc, text, _ = kapbot(site, "teach", f"--{flag.replace('_', '-')}",
                                 lesson["question"])
            if rc not in (0, 1):
                raise SystemExit(f"kapbot teach --{flag} failed ({rc}):\n{text}")
            refused += rc  # 1: refused, it would lower the sealed sets' recall
            continue
        if lesson.get("not_covered"):  # README step 6: "add the question to not-covered.md"
            page = site / "corpus" / "not-covered.md"
            text = page.read_text()
            cut = text.rindex("-->")
            page.write_text(f"{text[:cut]}- {lesson['question']}\n{text[cut:]}")
            continue
        rc, text, _ = kapbot(site, "teach", lesson["question"], "--section", lesson["section"])
        if rc:
            raise SystemExit(f"kapbot teach failed ({rc}):\n{text}")
    corrections = sum(any(x.get(f) for f in SAFETY_FLAGS) for x in lessons)
    said = f"{corrections} safety corrections, {refused} refused" if corrections else ""
    steps.append((f"kapbot teach ({len(lessons)} lines)", said, time.monotonic() - start))
    figures, took, summary = evaluate(site, files["before_teaching"], "taught")
    steps.append(("kapbot eval, after teaching", summary, took))
    table.append(("after teaching (questions it was taught from)", figures, "before_teaching"))
    figures, took, summary = evaluate(site, files["after_teaching"], "after")
    steps.append(("kapbot eval, questions written after teaching", summary, took))
    table.append(("questions written after teaching", figures, "after_teaching"))

    counts = {p: sum(r["phase"] == p and r["expect"] == "answer" for r in rows) for p in files}
    lines = [f"# New practice `{practice.name}`: its first hour", "",
             f"Questions: `{args.questions}` ({counts['before_teaching']} answerable written "
             f"before any reply, {counts['after_teaching']} after teaching).", "",
             "| step | answered from the right section | right in top 3 | answerable refused "
             "| exact sentence | not covered refused |", "|---|---|---|---|---|---|"]
    for name, fig, phase in table:
        n = counts[phase]
        cells = [f"{round(fig['hit@1'] * n)} / {n} ({fig['hit@1']:.2f})"]
        cells += ["—" if fig.get(k) is None else f"{fig[k]:.2f}" for k in METRICS[1:]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| step | result | seconds |", "|---|---|---|"]
    lines += [f"| {name} | {result} | {took:.0f} |" for name, result, took in steps]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        args.write.write_text(report)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
