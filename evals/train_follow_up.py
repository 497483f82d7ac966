"""Fit which messages lean on the one before them (``kapbot.followup.FollowUpOdds``) on the
conversations in ``evals/follow-up-train/`` (each file one writer's; each line
``{"practice", "history", "message", "leans"}``), and report it beside the word rule it
replaced, each writer's lines scored by a model fitted on the other writers' only.

    PYTHONPATH=$PWD python evals/train_follow_up.py [--write]

The level from which a message is read as a follow-up is the lowest of ``LEVELS`` at which at
most ``MISREAD`` of the held-out self-contained messages are read with the message before: in a
real chat most later messages stand alone, so reading one with the message before it is the
costlier mistake. ``--write`` saves the model fitted on every writer, with that level, to
``kapbot/followup.json`` and the report to ``evals/follow-up.md``. Training data only: never a
sealed or development set.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kapbot.followup import ANAPHORS, FOLLOW_UP_FILE, LEADS, features  # noqa: E402

TRAIN = ROOT / "evals/follow-up-train"
CHECK = ROOT / "evals/follow-up-check"  # more writers' conversations, never trained on
LEVELS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.5 ... 0.95
C = 1.0
MISREAD = 0.01  # the share of self-contained messages that may be read as follow-ups


def word_rule(message: str) -> bool:
    """The rule before the learnt model: at most 3 words, a leading "and"/"what about", or at
    most 6 words with one pointing back."""
    found = re.findall(r"[a-z0-9']+", message.lower().replace("’", "'"))
    lowered = " ".join(found)
    if len(found) <= 3 or lowered.startswith(tuple(lead + " " for lead in LEADS)):
        return bool(found)
    return len(found) <= 6 and any(w in ANAPHORS for w in found)


def rows(folder: Path = TRAIN) -> dict[str, list[dict[str, Any]]]:
    return {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                        if line.strip()] for path in sorted(folder.glob("*.jsonl"))}


def xy(lines: list[dict[str, Any]]) -> tuple[list[list[float]], list[int]]:
    return ([features(r["message"], r["history"][-1]) for r in lines],
            [int(bool(r["leans"])) for r in lines])


def fit(x: list[list[float]], y: list[int]) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, tol=1e-8).fit(x, y)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    writers = rows()
    held: list[tuple[str, float, bool, bool]] = []  # writer, probability, leans, word rule
    for name, lines in writers.items():
        x, y = xy([r for w, ls in writers.items() if w != name for r in ls])
        hx, hy = xy(lines)
        held += [(name, float(p), bool(v), word_rule(r["message"])) for p, v, r in zip(
            fit(x, y).predict_proba(hx)[:, 1], hy, lines, strict=True)]
    rule_misread = sum(rule for _, _, leans, rule in held if not leans)
    alone_count = sum(not leans for _, _, leans, _ in held)
    level = min((lv for lv in LEVELS if sum(p >= lv for _, p, leans, _ in held if not leans)
                 <= MISREAD * alone_count), default=LEVELS[-1])
    table = ["| level | leaning ones read as follow-ups | self-contained ones read with the "
             "message before |", "|---|---|---|"]
    leaning = [h for h in held if h[2]]
    alone = [h for h in held if not h[2]]
    for lv in LEVELS:
        mark = " (chosen)" if lv == level else ""
        table.append(f"| {lv}{mark} | {sum(h[1] >= lv for h in leaning)} of {len(leaning)} | "
                     f"{sum(h[1] >= lv for h in alone)} of {len(alone)} |")
    table.append(f"| the word rule before it | {sum(h[3] for h in leaning)} of {len(leaning)} | "
                 f"{rule_misread} of {len(alone)} |")
    x, y = xy([r for ls in writers.values() for r in ls])
    final = fit(x, y)
    check = ["| writer (never trained on) | leaning ones read as follow-ups: learnt / word rule | "
             "self-contained ones read with the message before: learnt / word rule |",
             "|---|---|---|"]
    for name, lines in rows(CHECK).items():
        cx, cy = xy(lines)
        found = [p >= level for p in final.predict_proba(cx)[:, 1]] if lines else []
        rule = [word_rule(r["message"]) for r in lines]
        lean = [i for i, v in enumerate(cy) if v]
        stand = [i for i, v in enumerate(cy) if not v]
        check.append(f"| {name} | {sum(found[i] for i in lean)} / {sum(rule[i] for i in lean)} "
                     f"of {len(lean)} | {sum(found[i] for i in stand)} / "
                     f"{sum(rule[i] for i in stand)} of {len(stand)} |")
    report = "\n".join([
        "# Which messages lean on the one before them", "",
        f"`evals/train_follow_up.py`: {len(y)} messages, each after one or two earlier ones, by "
        f"{len(writers)} writers who wrote conversations for other practices' pages "
        "(`evals/follow-up-train/`), labelled by their writers: leans on the earlier message, or "
        "stands alone. Each writer's lines scored by a model fitted on the other writers' only. "
        f"A message is read as a follow-up from probability {level}: the lowest level at which at "
        f"most {MISREAD:.0%} of the self-contained messages are read with the one before. "
        "Training data, not a sealed first look.", "", *table, "",
        "The model fitted on every writer above, at that level, on the conversations of more "
        "writers it never learnt from (`evals/follow-up-check/`: each from a brief and three other "
        "practices' pages; training-type data, not sealed), beside the word rule:", "", *check,
        ""])
    print(report)
    if args.write:
        FOLLOW_UP_FILE.write_text(json.dumps({
            "weights": [round(float(w), 6) for w in final.coef_[0]],
            "bias": round(float(final.intercept_[0]), 6), "level": level,
            "trained_on": f"{len(y)} messages by {len(writers)} writers "
                          "(evals/follow-up-train), labelled by their writers; made by "
                          "evals/train_follow_up.py"}, indent=1) + "\n", encoding="utf-8")
        (ROOT / "evals/follow-up.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
