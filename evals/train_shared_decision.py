"""Train the shared answer decision (``kapbot.ranking.shared_decision``) on other practices'
questions, and report how it does on practices it never saw.

    PYTHONPATH=$PWD .venv/bin/python evals/train_shared_decision.py [--cache FILE] [--write]

A practice that has only its own pages (no question bank yet) cannot teach its decision what a
visitor's answerable question looks like: its section lines are statements and its only
questions are the starter not-covered examples. The shared decision is learnt instead from
questions written for other practices (``evals/shared-decision/``: for each of
``SOURCES``, 30 answerable questions with their section and 15 that its pages do not cover,
by writers who saw only that practice's pages). Each practice is set up as README "Set it up
for your practice" says (``kapbot init``, its pages, the starter ``not-covered.md``); every
question is ranked, and the first section's ``DecisionInputs`` are its example: answered
rightly (1) when that section is the question's, else (0: a wrong section, or a question the
pages do not cover).

The report fits without each practice in turn and counts, on the one left out, the answerable
questions answered from the right section, from a wrong one and refused, and the not-covered
questions refused, beside the corpus's own decision; and the same on the development practices
(``evals/dev-practices/``), which are never trained on. The operating point is where the most
held-out questions of both are handled rightly (``handled``). Sealed sets are never read.

``--cache``: keeps every question's inputs in FILE (JSON), so that a second run only fits.
``--write`` saves the decision to ``kapbot/ranking/data/shared-decision.json`` and the report to
``evals/shared-decision.md``; without it, the report is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "evals"))

from kapbot.odds import logit  # noqa: E402
from kapbot.ranking.shared_decision import (  # noqa: E402
    DECISION_FILE,
    FEATURES,
    DecisionInputs,
    SharedDecision,
)

SOURCES = tuple(f"p{n}" for n in range(4, 22))
QUESTIONS = HERE / "evals/shared-decision"
DEV = tuple(f"d{n}" for n in range(1, 5))
REPORT = HERE / "evals/shared-decision.md"
PENALTY = 1.0  # inverse regularisation (C) of the logistic regression
LEVELS = tuple(round(0.2 + 0.05 * i, 2) for i in range(9))  # operating points tried: 0.2-0.6


def examples(folder: Path, questions: Path, work: Path) -> list[dict[str, Any]]:
    """Every question of ``questions`` ranked on ``folder``'s pages alone: its inputs, whether
    the first section is its own, and what the corpus's own decision said."""
    from pages_alone_dev import site_for

    from kapbot.bot import Bot
    from kapbot.settings import load
    from kapbot.workbench.evaluation import norm

    site = site_for(folder, work)
    bot = Bot(load(site / "kapbot.toml", record_gaps=False))
    bot.search.shared_decision = None  # "own": the practice's own decision, to compare with
    bot.prepare()
    out = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        ranking = bot.retrieve(row["question"])[0]
        top = ranking.top
        gold = {norm(s) for s in row.get("sections") or [row.get("section", "")] if s}
        right = (row["expect"] == "answer" and top is not None
                 and norm(top.section.heading) in gold)
        out.append({"practice": folder.name, "expect": row["expect"], "right": right,
                    "own": ranking.answer_probability,
                    "inputs": dataclasses.asdict(DecisionInputs.of(ranking))})
    shutil.rmtree(site, ignore_errors=True)
    return out


def collect(cache: Path | None) -> dict[str, list[dict[str, Any]]]:
    if cache is not None and cache.exists():
        return json.loads(cache.read_text())  # type: ignore[no-any-return]
    work = Path(tempfile.mkdtemp(prefix="kapbot-shared-decision-"))
    rows: dict[str, list[dict[str, Any]]] = {}
    try:
        for name in SOURCES:
            rows[name] = examples(HERE / "evals/practices" / name, QUESTIONS / f"{name}.jsonl",
                                  work)
        for name in DEV:
            folder = HERE / "evals/dev-practices" / name
            rows[name] = examples(folder, folder / "questions.jsonl", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if cache is not None:
        cache.write_text(json.dumps(rows))
    return rows


def fit(rows: list[dict[str, Any]]) -> SharedDecision:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([DecisionInputs(**r["inputs"]).row() for r in rows])
    y = np.asarray([int(r["right"]) for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=PENALTY, max_iter=5000).fit((x - mean) / scale, y)
    weights = model.coef_[0] / scale
    bias = float(model.intercept_[0] - (model.coef_[0] * mean / scale).sum())
    return SharedDecision(tuple(float(w) for w in weights), bias, len(rows))


def outcomes(rows: list[dict[str, Any]], answers: list[bool]) -> dict[str, int]:
    """Counts of answerable right / wrong / refused and not-covered refused and answered, where
    ``answers`` says which rows are answered."""
    out = dict.fromkeys(("answerable", "right", "wrong", "refused", "not_covered",
                         "nc_refused", "nc_answered"), 0)
    for r, answered in zip(rows, answers, strict=True):
        if r["expect"] == "answer":
            out["answerable"] += 1
            out["right" if answered and r["right"] else "wrong" if answered else "refused"] += 1
        else:
            out["not_covered"] += 1
            out["nc_refused"] += not answered
            out["nc_answered"] += answered
    return out


def line(name: str, counts: dict[str, int]) -> str:
    return (f"| {name} | {counts['right']} / {counts['answerable']} | {counts['wrong']} | "
            f"{counts['refused']} | {counts['nc_refused']} / {counts['not_covered']} |")


def held_out(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[float]]:
    """Each row's probability from a decision fitted without its practice (one of
    ``SOURCES``), or on all of them (the development practices)."""
    final = fit([r for n in SOURCES for r in rows[n]])
    out = {}
    for name in (*SOURCES, *DEV):
        decision = final if name in DEV else fit(
            [r for n in SOURCES if n != name for r in rows[n]])
        out[name] = [decision.probability(DecisionInputs(**r["inputs"])) for r in rows[name]]
    return out


def handled(counts: dict[str, int]) -> int:
    """Questions handled rightly: answerable ones answered from the right section and
    not-covered ones refused."""
    return counts["right"] + counts["nc_refused"]


def operating_point(rows: dict[str, list[dict[str, Any]]], held: dict[str, list[float]]
                    ) -> float:
    """The probability at which the most held-out questions are handled rightly (``handled``):
    those of ``SOURCES`` and of the development practices (the criterion is flat near its best; more
    questions make its choice less a matter of one question)."""
    def total(level: float) -> int:
        return sum(handled(outcomes(rows[n], [p >= level for p in held[n]]))
                   for n in (*SOURCES, *DEV))
    return max(LEVELS, key=lambda level: (total(level), -abs(level - 0.5)))


def report(rows: dict[str, list[dict[str, Any]]], threshold: float) -> tuple[str, SharedDecision]:
    """The report, and the decision fitted on all of ``SOURCES``, its bias moved so that
    ``threshold`` stands where the most held-out questions were handled rightly."""
    held = held_out(rows)
    level = operating_point(rows, held)
    head = ("| practice | right section | wrong | refused | not covered refused |\n"
            "|---|---|---|---|---|")
    tables: dict[str, list[str]] = {"own": [head], "shared": [head]}
    scores = {"own": 0, "shared": 0}
    many = f"the {len(SOURCES)} practices"
    for group, label in ((SOURCES, many), (DEV, f"the {len(DEV)} development practices")):
        totals: dict[str, dict[str, int]] = {"own": {}, "shared": {}}
        for name in group:
            counts = {"own": outcomes(rows[name], [r["own"] >= threshold for r in rows[name]]),
                      "shared": outcomes(rows[name], [p >= level for p in held[name]])}
            for key, c in counts.items():
                tables[key].append(line(name, c))
                for k, v in c.items():
                    totals[key][k] = totals[key].get(k, 0) + v
        for key in tables:
            tables[key].append(line(f"**{label}**", totals[key]))
            if group is SOURCES:
                scores[key] = handled(totals[key])
    final = fit([r for n in SOURCES for r in rows[n]])
    final = dataclasses.replace(final, bias=final.bias - logit(level) + logit(threshold))
    text = "\n".join([
        "# The shared answer decision (`evals/train_shared_decision.py`)", "",
        f"Made {time.strftime('%Y-%m-%d')}: {final.examples} questions from {len(SOURCES)} "
        f"practices (`evals/shared-decision/`), each ranked on its practice's pages alone. "
        f"Inputs: {', '.join(FEATURES)}.", "",
        "Answered: a right section, a wrong one, or a not-covered question. Handled rightly: "
        "an answerable question answered from its section, or a not-covered one refused (a "
        "refused answerable question is as much a failure as a wrong section). On the "
        f"questions of each of {many}, a decision fitted without that practice, and "
        f"on the {len(DEV)} development practices' questions, one fitted on all {len(SOURCES)}, "
        f"handled most rightly at probability {level:.2f}: {scores['shared']} of "
        f"{sum(len(rows[n]) for n in SOURCES)} of theirs, against {scores['own']} for each "
        f"practice's own decision at {threshold}. The shipped decision's bias is moved so that "
        f"`answer_threshold` {threshold} stands there.", "",
        "## Each practice's own decision (its pages and the starter not-covered examples)", "",
        *tables["own"], "",
        f"## The shared decision ({SOURCES[0]}-{SOURCES[-1]}: fitted without the practice; "
        f"{DEV[0]}-{DEV[-1]}: fitted on all {len(SOURCES)})",
        "", *tables["shared"], "",
        "Weights: " + ", ".join(f"{f} {w:+.3f}" for f, w in zip(FEATURES, final.weights,
                                                                 strict=True))
        + f", bias {final.bias:+.3f}", ""])
    return text, final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, help="keep (and reuse) every question's inputs")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--write", action="store_true", help="save the decision and report")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows = collect(args.cache)
    text, final = report(rows, args.threshold)
    if args.write:
        final.save(DECISION_FILE)
        REPORT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
