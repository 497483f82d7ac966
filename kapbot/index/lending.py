"""Other practices' bank lines lent to this corpus's sections that have no bank: the data file
and its vectors (the rule is ``kapbot.ranking.borrowed``'s, pure).

The lending sections are in ``kapbot/ranking/data/borrowed-questions.jsonl`` (written by
``evals/make_borrowed_bank.py``; where each line came from is in the README beside it). Their
passages and the lines lent are embedded with the index's embedder (which remembers vectors
between builds), when the index's rankers are trained, and only for a corpus with a section
that has no bank: the shipped practice's sections all have one, so it borrows nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from importlib import resources

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.index.embeddings import Embedder
from kapbot.models import Unit
from kapbot.ranking import borrowed

log = logging.getLogger("kapbot")
DATA = "borrowed-questions.jsonl"


@functools.cache
def lending_sections() -> tuple[borrowed.LendingSection, ...]:
    """The other practices' sections that lend their bank lines (read once)."""
    text = resources.files("kapbot.ranking").joinpath("data", DATA).read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple(borrowed.LendingSection(r["source"], r["section"], tuple(r["passages"]),
                                         tuple(r["questions"])) for r in rows)


def lent_units(units: Sequence[Unit], vectors: dict[str, list[float]], embedder: Embedder
               ) -> tuple[list[Unit], dict[str, list[float]], str]:
    """The lines lent to the sections of ``units`` with no bank line (as question units of
    origin ``borrowed.ORIGIN``), their vectors, and a digest of them for the ranker's cache key
    ("" when none is lent). Nothing is lent (logged) when the data cannot be read or embedded:
    the ranker then learns from the corpus alone, as before."""
    import numpy as np

    passages: dict[str, list[list[float]]] = {}
    for u in units:
        if u.type == "passage" and u.origin != NOT_COVERED and u.id in vectors:
            passages.setdefault(u.section_id, []).append(vectors[u.id])
    banked = {u.section_id for u in units if u.origin == "bank"}
    may_borrow = set(passages) - banked
    if not may_borrow:
        return [], {}, ""
    try:
        lending = lending_sections()
        flat = [p for lender in lending for p in lender.passages]
        embedded = iter(embedder.embed(flat))
        lenders = np.asarray([borrowed.mean_direction([next(embedded) for _ in lender.passages])
                              for lender in lending])
        own_ids = sorted(passages)
        own = np.asarray([borrowed.mean_direction(passages[sid]) for sid in own_ids])
        lines = borrowed.lent_lines(own_ids, own, may_borrow, lending, lenders)
        lent = [Unit(f"{sid}-lent{n}", "question", sid, q, "", borrowed.ORIGIN, n)
                for n, (sid, q) in enumerate(lines, start=1)]
        lent_vectors = dict(zip([u.id for u in lent], embedder.embed([u.text for u in lent]),
                                strict=True)) if lent else {}
    except Exception:
        log.exception("Could not lend other practices' bank lines; the ranker learns from the "
                      "corpus alone")
        return [], {}, ""
    digest = hashlib.sha256(json.dumps(lines).encode()).hexdigest()[:8] if lines else ""
    log.info("%d sections without a question bank borrow %d lines from other practices",
             len({sid for sid, _ in lines}), len(lines))
    return lent, lent_vectors, digest
