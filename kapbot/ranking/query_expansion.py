"""Query expansion: a visitor's question moved towards the practice's own nearest questions
before the section ranker reads it (pseudo-relevance feedback, Rocchio's form). numpy,
imported when called.

A visitor words a question their own way; the question bank holds the ways the practice's
writers word the same questions, each filed under its section. The section ranker reads the
question's vector plus ``WEIGHT`` times the mean of its ``LINES`` nearest bank questions (and
FAQ headings), normalised: a wording the bank never saw is read partly as the bank's nearest
wordings are. Only the ranking reads the moved vector; whether the first section answers is
decided on the question as it was asked, since the decision was calibrated on unmoved lines
(moved, the not-covered questions near a bank question looked answerable: development, not
covered refused 35 → 23 of 40 and 24 → 14 of 30). A ranker that learnt no bank line (a
practice's pages alone) reads the question unmoved. The multilingual ranker, which reads a
Spanish question (``kapbot.language.crosslingual.ranker_reading``), reads it moved the same way
towards its nearest bank questions by the multilingual vectors, Spanish bank lines among them.

Development (``evals/answers_dev.py``, 2026-12-03; the setting chosen there): right section
first and quoted, ``evals/questions-dev3.jsonl`` 47 → 49 of 70, ``-dev2`` 65 → 65 of 80,
``evals/questions.jsonl`` 60 → 60 of 69 (answered or offered 67 → 66); the second practice's
sets and the four development practices with their banks (``evals/pages_alone_dev.py
--banks``: right 88 → 88 of 120, wrong 15 → 13) unchanged; ``evals/follow_up_dev.py``:
follow-ups 28 → 28 of 35, questions asked mid-chat 85 → 87 of 114. 3 lines at 0.5 gained 1 on
dev3; 10 lines at 1.0 gained 3 there and lost 2 answered-or-offered on ``questions.jsonl``.
Spanish, the multilingual ranker reading the moved question: the exact English sentence quoted,
``evals/spanish-dev2.jsonl`` 69 → 72 of 84, ``-dev3`` 39 → 40 of 55, ``-dev4`` 24 → 26 of 35, the
Spanish questions of ``questions-dev2`` one fewer; not covered refused 27 → 26 of 36, 15 → 15
of 19, 12 → 12 of 15 (3 lines: 71, 41, 26 and the same not-covered figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LINES = 5  # the nearest bank questions read with the visitor's
WEIGHT = 0.5  # their mean's weight beside the question's own (unit) vector


def expand(vector: Sequence[float], questions: Any, lines: int = LINES,
          weight: float = WEIGHT) -> list[float]:
    """``vector`` plus ``weight`` times the mean of its ``lines`` nearest rows of
    ``questions`` (unit vectors, rows × dims), normalised; ``vector`` itself when there are
    none."""
    import numpy as np

    v = np.asarray(vector, dtype=np.float32)
    if questions is None or len(questions) == 0 or lines <= 0:
        return list(map(float, v))
    sims = questions @ v
    # the mean needs the nearest rows, not their order: a partial sort (a full one was a third
    # of this function's time)
    nearest = (np.argpartition(-sims, lines - 1)[:lines] if lines < len(sims)
               else np.arange(len(sims)))
    out = v + weight * questions[nearest].mean(axis=0)
    norm = float(np.linalg.norm(out))
    moved: list[float] = (out / norm).tolist() if norm > 0 else v.tolist()
    return moved
