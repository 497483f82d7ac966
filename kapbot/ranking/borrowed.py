"""Question lines borrowed from other practices' banks, for sections with no bank of their own.
Pure.

A new practice's pages come with no question bank, so its section ranker learns from the
therapist's sentences alone, and visitors do not ask in sentences of an article: with pages
alone, 0.47 of a new practice's answerable questions were answered from the right section on
each sealed first look (p6-p9). Other practices' writers have written thousands of the
questions visitors ask, each under the section that answers it, and a new practice's sections
say much of the same (fees, insurance, getting there, the dosing day). A section with no bank
of its own takes the lines of another practice's section when the two say the same: the other
section's passages are at least ``SIMILAR`` alike (cosine of their mean vectors) and this
section is at least ``AHEAD`` more alike than any other of this practice's sections, banked
or not (a topic split across two sections here lends to neither). The lines train the section
ranker only, at ``WEIGHT`` each (a bank line weighs 1): they are never matched as questions,
shown on a button or quoted.

Development (`evals/pages_alone_dev.py`: four practices' pages, 120 answerable and 40
not-covered questions, read and tuned on; not a result): the ranker alone put the right section
first for 61 → 73, the fused ranking for 65 → 77; answered from the right section 52 → 61, from
a wrong one 25 → 20, refused 43 → 39; not covered refused 27 → 25 of 40. Chosen on the ranker
alone (a quicker loop over the same practices): ``AHEAD`` 0.10 / 0.15 / 0.20 gave 70 / 76 / 69;
``WEIGHT`` 0.05 / 0.1 / 0.2: 73 / 76 / 74; every line lent (no ``AHEAD``): 58. Tried, not kept:
the lines in the multilingual ranker too (right 61, wrong 23) and as answerable examples of the
decision (right 60, wrong 20, refused 40).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SIMILAR = 0.4  # another practice's section lends only when this alike ...
AHEAD = 0.15  # ... and this much more alike than any other section here
WEIGHT = 0.1  # a borrowed line's training weight (a bank line: 1)
ORIGIN = "borrowed"  # the ``Unit.origin`` of a borrowed line


@dataclass(frozen=True)
class LendingSection:
    """Another practice's section: the passages kapbot embeds for it, and its bank lines."""

    source: str  # which practice ("shipped", "second", "p4", ...)
    section: str  # its id there
    passages: tuple[str, ...]
    questions: tuple[str, ...]


def mean_direction(vectors: Any) -> Any:
    """The unit-length mean of some vectors (rows)."""
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def borrowers(own: Any, lenders: Any) -> list[int]:
    """For each lending section (a row of ``lenders``, its passages' mean direction), the row
    of ``own`` (this practice's sections without a bank, the same) that borrows its lines, or -1
    when none does (``SIMILAR``, ``AHEAD``)."""
    import numpy as np

    own = np.atleast_2d(np.asarray(own, dtype=np.float64))
    lenders = np.atleast_2d(np.asarray(lenders, dtype=np.float64))
    if own.shape[0] == 0 or lenders.shape[0] == 0:
        return [-1] * lenders.shape[0]
    sims = lenders @ own.T  # lenders x own
    out: list[int] = []
    for row in sims:
        order = np.argsort(-row, kind="stable")
        best = float(row[order[0]])
        second = float(row[order[1]]) if len(order) > 1 else -1.0
        out.append(int(order[0]) if best >= SIMILAR and best - second >= AHEAD else -1)
    return out


def lent_lines(own_ids: Sequence[str], own: Any, may_borrow: set[str],
               lending: Sequence[LendingSection], lenders: Any) -> list[tuple[str, str]]:
    """(section id here, question) for every line lent to a section of ``may_borrow``, in the
    lenders' order. ``own_ids`` are all this practice's sections (the rows of ``own``, their
    passages' mean directions), so that a topic a banked section holds lends to no other."""
    out: list[tuple[str, str]] = []
    for lender, row in zip(lending, borrowers(own, lenders), strict=True):
        if row >= 0 and own_ids[row] in may_borrow:
            out.extend((own_ids[row], q) for q in lender.questions)
    return out
