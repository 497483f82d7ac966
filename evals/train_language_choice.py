"""Fit the choice between English and Spanish replies, and report how it does on writers it
never saw.

    PYTHONPATH=$PWD python evals/train_language_choice.py [--write]

Data: the safety training lines (``kapbot/safety/data/train/*.jsonl``, 30 writers), each labelled
by its writer ``en``, ``es`` or ``spanglish``; a Spanish or Spanglish line should get a Spanish
reply. Features: ``kapbot.language.choice.features`` over the real detector's signals. Model: a
logistic regression (scikit-learn, C = 1). Leave-one-writer-out: each writer's lines are scored
by a model fitted on the other 29, at each candidate level; ``SWITCH`` is the level a message
outside a Spanish conversation needs (few English lines may pass it), ``STAY`` the level below
which a message in a Spanish conversation turns English (few Spanish lines may fall under it).

``--write`` saves the final model (fitted on every writer) to
``kapbot/language/language_choice.json`` and the report to ``evals/language-choice.md``; without
it, both are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from kapbot.language.choice import Lang, choose, features  # noqa: E402
from kapbot.language.langdetect import CHOICE_FILE, LanguageDetector  # noqa: E402

TRAIN = HERE / "kapbot/safety/data/train"
REPORT = HERE / "evals/language-choice.md"
SWITCH = 0.7
STAY = 0.3
LEVELS = (0.3, 0.5, 0.7, 0.9)


def lines() -> list[tuple[str, str, str]]:
    """(writer, text, lang) of every training line."""
    out = []
    for path in sorted(TRAIN.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                row = json.loads(raw)
                out.append((path.stem, str(row["text"]), str(row.get("lang", "en"))))
    return out


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="save the model and the report")
    args = parser.parse_args(argv)
    detector = LanguageDetector((Lang.EN, Lang.ES))
    data = lines()
    x = np.asarray([features(text, detector.signals(text)) for _, text, _ in data])
    y = np.asarray([lang != "en" for _, _, lang in data], dtype=int)
    writers = np.asarray([w for w, _, _ in data])
    langs = np.asarray([lang for _, _, lang in data])
    held = np.zeros(len(data))
    for writer in sorted(set(writers)):
        mine = writers == writer
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x[~mine], y[~mine])
        held[mine] = model.predict_proba(x[mine])[:, 1]
    both = (Lang.EN, Lang.ES)  # the rule without the learnt model, for comparison
    old = np.asarray([choose(text, detector.confidences(text), both) is Lang.ES
                      for _, text, _ in data])
    rows = ["| level | English lines given Spanish | Spanglish lines given Spanish | "
            "Spanish lines given Spanish |", "|---|---|---|---|"]
    for level in LEVELS:
        cells = [f"{int((held[langs == k] >= level).sum())} / {int((langs == k).sum())} "
                 f"({(held[langs == k] >= level).mean():.3f})" for k in ("en", "spanglish", "es")]
        mark = " (switch)" if level == SWITCH else " (stay)" if level == STAY else ""
        rows.append(f"| {level}{mark} | " + " | ".join(cells) + " |")
    final = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    model = {"weights": [round(float(w), 6) for w in final.coef_[0]],
             "bias": round(float(final.intercept_[0]), 6), "switch": SWITCH, "stay": STAY,
             "trained_on": f"{len(data)} safety training lines by {len(set(writers))} writers "
                           "(kapbot/safety/data/train), labelled en / es / spanglish by their "
                           "writers; made by evals/train_language_choice.py"}
    report = "\n".join([
        "# The choice between English and Spanish replies",
        "",
        f"`evals/train_language_choice.py`: {len(data)} training lines by "
        f"{len(set(writers))} writers ({int((langs == 'en').sum())} English, "
        f"{int((langs == 'spanglish').sum())} Spanglish, {int((langs == 'es').sum())} Spanish). "
        "Leave-one-writer-out: each writer's lines scored by a model fitted on the others. A "
        f"message outside a Spanish conversation is answered in Spanish from {SWITCH}; a "
        f"message in one turns English below {STAY}. Development figures (training data), not a "
        "sealed first look.", "", *rows, "",
        "Without the learnt model (the detector's confidence and function words, the rule before "
        "it, with the same detector): English lines given Spanish "
        f"{int(old[langs == 'en'].sum())}, Spanglish {int(old[langs == 'spanglish'].sum())}, "
        f"Spanish {int(old[langs == 'es'].sum())}.", ""])
    if args.write:
        CHOICE_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        REPORT.write_text(report, encoding="utf-8")
    print(report)
    print(json.dumps(model, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
