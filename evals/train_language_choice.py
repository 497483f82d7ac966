"""Fit the choice between English and Spanish replies, and report how it does on writers it
never saw.

    PYTHONPATH=$PWD python evals/train_language_choice.py [--write]

Data: the safety training lines (``kapbot/safety/data/train/*.jsonl``, 63 writers), each labelled
by its writer ``en``, ``es`` or ``spanglish``; a Spanish or Spanglish line should get a Spanish
reply. Files whose language labels are not their writer's (``NOT_LANGUAGE_LABELLED``: other
practices' bank lines, labelled for the screen only) are left out.
Features: ``kapbot.language.choice.features`` over the real detector's signals, and one
for each of ``kapbot.language.choice.language_words`` used by at least ``WRITERS_PER_WORD``
writers (a word one or two writers use says more about them than about a language). Model: a
logistic regression (scikit-learn, C = 1). Leave-one-writer-out: each writer's lines are scored
by a model fitted on the other writers, its words counted among theirs only, at each candidate
level; ``SWITCH`` is the level a message outside a Spanish conversation needs (few English lines
may pass it), ``STAY`` the level below which a message in a Spanish conversation turns English
(few Spanish lines may fall under it).

``--write`` saves the final model (fitted on every writer) to
``kapbot/language/language_choice.json`` and the report to ``evals/language-choice.md``; without
it, both are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from kapbot.language.choice import UNSURE, Lang, choose, features, language_words  # noqa: E402
from kapbot.language.langdetect import CHOICE_FILE, LanguageDetector  # noqa: E402

TRAIN = HERE / "kapbot/safety/data/train"
REPORT = HERE / "evals/language-choice.md"
SWITCH = 0.5
STAY = 0.3
LEVELS = (0.3, 0.5, 0.7, 0.9)
WRITERS_PER_WORD = 3
# training files whose language labels are not a writer's own: other practices' bank lines,
# labelled for the screen by labellers who were not asked their language (practice-banks.brief.md)
NOT_LANGUAGE_LABELLED = frozenset({"practice-banks"})


def lines() -> list[tuple[str, str, str]]:
    """(writer, text, lang) of every training line."""
    out = []
    for path in sorted(TRAIN.glob("*.jsonl")):
        if path.stem in NOT_LANGUAGE_LABELLED:
            continue
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                row = json.loads(raw)
                out.append((path.stem, str(row["text"]), str(row.get("lang", "en"))))
    return out


def vocabulary(words: list[frozenset[str]], writers: list[str]) -> list[str]:
    """The words at least ``WRITERS_PER_WORD`` of ``writers`` used, sorted."""
    users: dict[str, set[str]] = {}
    for line, writer in zip(words, writers, strict=True):
        for word in line:
            users.setdefault(word, set()).add(writer)
    return sorted(word for word, who in users.items() if len(who) >= WRITERS_PER_WORD)


def design(dense: Any, words: list[frozenset[str]], vocab: list[str]) -> Any:
    """The dense features beside one column a vocabulary word (1 when the line has it)."""
    from scipy.sparse import csr_matrix, hstack

    column = {word: j for j, word in enumerate(vocab)}
    cells = [(i, column[w]) for i, line in enumerate(words) for w in line if w in column]
    rows, cols = zip(*cells, strict=True) if cells else ((), ())
    sparse = csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(words), len(vocab)))
    return hstack([csr_matrix(dense), sparse]).tocsr()


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="save the model and the report")
    args = parser.parse_args(argv)
    detector = LanguageDetector((Lang.EN, Lang.ES))
    data = lines()
    dense = np.asarray([features(text, detector.signals(text)) for _, text, _ in data])
    words = [language_words(text) for _, text, _ in data]
    y = np.asarray([lang != "en" for _, _, lang in data], dtype=int)
    writers = np.asarray([w for w, _, _ in data])
    langs = np.asarray([lang for _, _, lang in data])

    def held_out(inputs: Any) -> Any:
        """Each writer's lines scored by a model fitted on the others'; ``inputs(mine)``: the
        design, given which lines are the writer's (its words are counted among the others')."""
        held = np.zeros(len(data))
        for writer in sorted(set(writers)):
            mine = writers == writer
            x = inputs(mine)
            model = LogisticRegression(C=1.0, max_iter=3000).fit(x[~mine], y[~mine])
            held[mine] = model.predict_proba(x[mine])[:, 1]
        return held

    held = held_out(lambda mine: design(dense, words, vocabulary(
        [w for w, keep in zip(words, ~mine, strict=True) if keep], list(writers[~mine]))))
    dense_only = held_out(lambda mine: dense)  # the model before the words, for comparison
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
    before = " ".join(f"{int((dense_only[langs == k] >= 0.7).sum())}" for k in (
        "en", "spanglish", "es"))
    vocab = vocabulary(words, list(writers))
    final = LogisticRegression(C=1.0, max_iter=3000).fit(design(dense, words, vocab), y)
    coef = final.coef_[0]
    model = {"weights": [round(float(w), 6) for w in coef[:dense.shape[1]]],
             "bias": round(float(final.intercept_[0]), 6), "switch": SWITCH, "stay": STAY,
             "words": {w: round(float(c), 4) for w, c in zip(vocab, coef[dense.shape[1]:],
                                                              strict=True) if abs(c) >= 0.005},
             "trained_on": f"{len(data)} safety training lines by {len(set(writers))} writers "
                           "(kapbot/safety/data/train), labelled en / es / spanglish by their "
                           f"writers; words used by at least {WRITERS_PER_WORD} writers; made "
                           "by evals/train_language_choice.py"}
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
        f"Read as mixing the two languages (probability of Spanish from {UNSURE[0]} to "
        f"{UNSURE[1]}: a crisis reply then names the other language's line too): "
        + ", ".join(f"{int(((held >= UNSURE[0]) & (held < UNSURE[1]))[langs == k].sum())} of "
                    f"{int((langs == k).sum())} {name}" for k, name in (
                        ("en", "English"), ("spanglish", "Spanglish"), ("es", "Spanish")))
        + " lines.", "",
        "Without the words (the detector's signals and function words only, the model before "
        "2026-12-02, at its level 0.7): English, Spanglish and Spanish lines given Spanish "
        f"{before.replace(' ', ', ')}.", "",
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
