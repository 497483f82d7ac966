"""The trained section ranker and the calibrated answer decision, learnt from the corpus itself.

Training lines are the index's own units, each labelled with its section: question-bank lines
and FAQ headings (weight 1), passages (embedded with their heading path, weight ``PASSAGE``) and
sentences (weight ``SENTENCE``); "not covered" example questions form one more class. A
multinomial logistic regression over their MiniLM vectors gives, for a question, a probability
per section (and for "not covered").

The answer / not-covered decision is a second, small logistic regression over calibrated
features of the best section (``DecisionFeatures``). It is fitted on out-of-fold features of the
corpus's own lines (``FOLDS``-fold cross-validation, every line scored by a ranker that never saw
it): the section lines are the answerable examples, the not-covered lines the others. A corpus
with fewer than ``MIN_NEGATIVES`` not-covered lines (or none: no bank) has too few negative
examples to fit on: the decision then answers when
the best section's evidence reaches the level that all but ``ONE_CLASS_QUANTILE`` of its own
held-out lines reach, so a new practice's page is answered from its sentences.

Deterministic (fixed folds, lbfgs); scikit-learn is imported here only, when training; answering
uses the saved weights in numpy. Saved as a small ``.npz`` in the cache folder under the index
fingerprint, never committed, retrained when the index changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot import npzfile
from kapbot.markdown import NOT_COVERED
from kapbot.models import Unit

VERSION = 1  # bump when training changes: cached rankers are retrained
C = 10.0  # inverse regularisation of the section ranker
PASSAGE = 0.5  # training weight of a passage line (a question line weighs 1)
SENTENCE = 1.0  # training weight of a sentence line
FOLDS = 5
MIN_NEGATIVES = 10  # fewer not-covered lines than this: too few to fit a decision on
ONE_CLASS_QUANTILE = 0.03  # with no negative lines: the share of own lines refused
ONE_CLASS_FLOOR = 0.1  # ... and never below this sentence similarity (nothing in common)
ONE_CLASS_SLOPE = 50.0  # how sharply the one-class decision turns at its level
NOT_COVERED_CLASS = "__not_covered__"


@dataclass(frozen=True)
class DecisionFeatures:
    """What the decision reads about the best section, each on a scale that means the same in
    any corpus: the ranker's probability (as a logit), the best sentence and question
    similarities, and the ranker's probability that the question is a not-covered one."""

    ranker_logit: float
    sentence: float
    question: float
    not_covered: float

    def row(self) -> list[float]:
        return [self.ranker_logit, self.sentence, self.question, self.not_covered]


@dataclass(frozen=True)
class SectionRanker:
    classes: tuple[str, ...]  # section ids, then NOT_COVERED_CLASS when there were examples
    weights: Any  # numpy (dims, classes)
    bias: Any  # numpy (classes,)
    decision_weights: Any  # numpy (4,), over DecisionFeatures.row()
    decision_bias: float
    fingerprint: str

    def probabilities(self, vector: Sequence[float]) -> tuple[dict[str, float], float]:
        """Each section's probability (renormalised without "not covered"), and the
        probability of "not covered"."""
        import numpy as np

        logits = np.asarray(vector, dtype=np.float32) @ self.weights + self.bias
        odds = np.exp(logits - logits.max())
        odds /= odds.sum()
        out = {c: float(p) for c, p in zip(self.classes, odds, strict=True)}
        nc = out.pop(NOT_COVERED_CLASS, 0.0)
        rest = 1.0 - nc
        return ({c: p / rest for c, p in out.items()} if rest > 0 else out), nc

    def answer_probability(self, features: DecisionFeatures) -> float:
        import numpy as np

        z = float(np.dot(self.decision_weights, features.row())) + self.decision_bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def training_lines(units: Sequence[Unit], use_bank: bool) -> list[tuple[Unit, str, float]]:
    """(unit, class, weight) for every unit the ranker learns from."""
    out: list[tuple[Unit, str, float]] = []
    for unit in sorted(units, key=lambda u: u.id):
        if unit.origin == NOT_COVERED:
            if use_bank:
                out.append((unit, NOT_COVERED_CLASS, 1.0))
        elif unit.origin == "bank" and not use_bank:
            continue
        else:
            weight = {"question": 1.0, "passage": PASSAGE, "sentence": SENTENCE}[unit.type]
            out.append((unit, unit.section_id, weight))
    return out


def _fit(x: Any, y: Sequence[str], w: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, tol=1e-4).fit(x, list(y), sample_weight=w)


def _features(vector: Any, section: str, probs: dict[str, float], nc: float,
              matrix: Any, sections: Any, kinds: Any, skip: int = -1) -> DecisionFeatures:
    """Decision features of ``section`` for a vector; row ``skip`` (the line itself) excluded."""

    sims = matrix @ vector
    mine = sections == section
    if skip >= 0:
        mine = mine.copy()
        mine[skip] = False
    sent = sims[mine & (kinds == "sentence")]
    ques = sims[mine & (kinds == "question")]
    return DecisionFeatures(
        logit(probs.get(section, 0.0)), float(sent.max()) if sent.size else 0.0,
        float(ques.max()) if ques.size else 0.0, nc,
    )


def features_for(ranker: SectionRanker, table: UnitTable, vector: Sequence[float],
                 section: str) -> DecisionFeatures:
    import numpy as np

    probs, nc = ranker.probabilities(vector)
    return _features(np.asarray(vector, dtype=np.float32), section, probs, nc, table.matrix,
                     table.sections, table.kinds)


@dataclass(frozen=True)
class UnitTable:
    """The vectors of an index version's sentences and questions (not-covered ones excluded),
    with each row's section and type: the decision's similarity features read these."""

    ids: tuple[str, ...]
    matrix: Any
    sections: Any
    kinds: Any

    @staticmethod
    def build(units: Sequence[Unit], vectors: dict[str, list[float]], use_bank: bool
              ) -> UnitTable:
        import numpy as np

        kept = [u for u in sorted(units, key=lambda u: u.id)
                if u.type != "passage" and u.origin != NOT_COVERED and u.id in vectors
                and (use_bank or u.origin != "bank")]
        dims = len(next(iter(vectors.values()))) if vectors else 0
        matrix = (np.asarray([vectors[u.id] for u in kept], dtype=np.float32)
                  if kept else np.zeros((0, dims), dtype=np.float32))
        return UnitTable(tuple(u.id for u in kept), matrix, np.array([u.section_id for u in kept]),
                         np.array([u.type for u in kept]))


def train(units: Sequence[Unit], vectors: dict[str, list[float]], use_bank: bool,
          fingerprint: str) -> SectionRanker:
    """The ranker and its decision, from the index's units and their stored vectors."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    lines = [(u, c, w) for u, c, w in training_lines(units, use_bank) if u.id in vectors]
    x = np.asarray([vectors[u.id] for u, _, _ in lines], dtype=np.float64)
    y = [c for _, c, _ in lines]
    w = np.asarray([wt for _, _, wt in lines])
    if len(set(y)) < 2:  # one section and no examples: nothing to tell apart
        dims = x.shape[1] if x.ndim == 2 else 0
        return SectionRanker(tuple(sorted(set(y))), np.zeros((dims, len(set(y))), np.float32),
                             np.zeros(len(set(y)), np.float32), np.zeros(4), 1.0, fingerprint)
    final = _fit(x, y, w)
    classes = [str(c) for c in final.classes_]
    order = sorted(range(len(classes)), key=lambda i: (classes[i] == NOT_COVERED_CLASS, i))
    table = UnitTable.build(units, vectors, use_bank)
    row_of = {uid: i for i, uid in enumerate(table.ids)}
    # out-of-fold decision features of every question and sentence line
    rows: list[list[float]] = []
    labels: list[int] = []
    for fold in range(FOLDS):
        held = np.array([i % FOLDS == fold for i in range(len(lines))])
        if held.all() or len(set(c for c, h in zip(y, held, strict=True) if not h)) < 2:
            continue
        model = _fit(x[~held], [c for c, h in zip(y, held, strict=True) if not h], w[~held])
        fold_classes = [str(c) for c in model.classes_]
        for i in np.flatnonzero(held):
            unit, label, _ = lines[i]
            if unit.type == "passage":
                continue
            p = model.predict_proba(x[i : i + 1])[0]
            probs = dict(zip(fold_classes, (float(v) for v in p), strict=True))
            nc = probs.pop(NOT_COVERED_CLASS, 0.0)
            probs = {c: v / (1 - nc) for c, v in probs.items()} if nc < 1 else probs
            top = max(probs, key=lambda c: (probs[c], c))
            feats = _features(x[i].astype(np.float32), top, probs, nc, table.matrix,
                              table.sections, table.kinds, row_of.get(unit.id, -1))
            rows.append(feats.row())
            labels.append(0 if label == NOT_COVERED_CLASS else 1)
    if labels.count(0) >= MIN_NEGATIVES and 1 in labels:
        decision = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000,
                                      tol=1e-6).fit(np.asarray(rows), labels)
        dw, db = decision.coef_[0].astype(np.float64), float(decision.intercept_[0])
    else:  # no negative lines: answer what reaches the level of nearly all own lines
        seen = [r[1] for r in rows if r[1] > 0]  # lines with another sentence in their section
        level = float(np.quantile(seen, ONE_CLASS_QUANTILE)) if seen else ONE_CLASS_FLOOR
        dw = np.array([0.0, ONE_CLASS_SLOPE, 0.0, 0.0])  # the best sentence similarity
        db = -ONE_CLASS_SLOPE * max(level, ONE_CLASS_FLOOR)
    return SectionRanker(
        tuple(classes[i] for i in order),
        np.asarray(final.coef_[order].T, dtype=np.float32),
        np.asarray(final.intercept_[order], dtype=np.float32), dw, db, fingerprint,
    )


def save(ranker: SectionRanker, path: Path) -> None:
    import numpy as np

    npzfile.save(path, ranker.fingerprint, classes=np.array(ranker.classes),
                 weights=ranker.weights, bias=ranker.bias,
                 decision_weights=ranker.decision_weights,
                 decision_bias=np.array(ranker.decision_bias))


def load(path: Path, fingerprint: str) -> SectionRanker | None:
    """The saved ranker if it was trained on the same index, else None."""
    import numpy as np

    saved = npzfile.load(path, fingerprint)
    if saved is None:
        return None
    return SectionRanker(tuple(str(c) for c in saved["classes"]),
                         saved["weights"].astype(np.float32), saved["bias"].astype(np.float32),
                         saved["decision_weights"].astype(np.float64),
                         float(saved["decision_bias"]), fingerprint)
